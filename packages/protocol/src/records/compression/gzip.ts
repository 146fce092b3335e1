import { constants as bufferConstants } from 'node:buffer'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import type * as Zlib from 'node:zlib'
import { CompressionCodec, asBuffer, corruptInput, outputTooLarge } from './codec.js'

// Kafka's gzip codec is a plain gzip stream (java.util.zip.GZIPOutputStream),
// so node:zlib reads and writes it as is.

// node:zlib is loaded on the first gzip batch, not at start: a broker that
// never sees gzip saves its load time (a few ms of the cold start, issue 2).
const require = createRequire(import.meta.url)
interface LoadedZlib {
  zlib: typeof Zlib
  gzipAsync: (data: Uint8Array, options: Zlib.ZlibOptions) => Promise<Buffer>
  gunzipAsync: (data: Uint8Array, options: Zlib.ZlibOptions) => Promise<Buffer>
}
let loaded: LoadedZlib | undefined
function lib (): LoadedZlib {
  if (loaded === undefined) {
    const zlib = require('node:zlib') as typeof Zlib
    loaded = { zlib, gzipAsync: promisify(zlib.gzip), gunzipAsync: promisify(zlib.gunzip) }
  }
  return loaded
}

function zlibOptions (level: number | undefined): Zlib.ZlibOptions {
  return level === undefined ? {} : { level }
}

// zlib wants 1 <= maxOutputLength <= kMaxLength; a limit of 0 is checked after the fact.
function outputLimit (max: number): number {
  return Math.min(Math.max(1, max), bufferConstants.MAX_LENGTH)
}

function mapError (err: unknown, max: number): Error {
  if ((err as { code?: string } | null)?.code === 'ERR_BUFFER_TOO_LARGE') return outputTooLarge(CompressionCodec.GZIP, max)
  return corruptInput(CompressionCodec.GZIP, err)
}

function checked (out: Buffer, max: number): Buffer {
  if (out.length > max) throw outputTooLarge(CompressionCodec.GZIP, max)
  return out
}

export function gzipCompressSync (data: Uint8Array, level?: number): Buffer {
  return lib().zlib.gzipSync(data, zlibOptions(level))
}

export async function gzipCompress (data: Uint8Array, level?: number): Promise<Buffer> {
  return await lib().gzipAsync(data, zlibOptions(level))
}

export function gzipDecompressSync (data: Uint8Array, max: number): Buffer {
  let out: Buffer
  try {
    out = lib().zlib.gunzipSync(asBuffer(data), { maxOutputLength: outputLimit(max) })
  } catch (err) {
    throw mapError(err, max)
  }
  return checked(out, max)
}

export async function gzipDecompress (data: Uint8Array, max: number): Promise<Buffer> {
  let out: Buffer
  try {
    out = await lib().gunzipAsync(asBuffer(data), { maxOutputLength: outputLimit(max) })
  } catch (err) {
    throw mapError(err, max)
  }
  return checked(out, max)
}
