import { createRequire } from 'node:module'
import { ProtocolDecodeError } from '../../primitives/errors.js'
import { CompressionCodec, asBuffer, corruptInput, outputTooLarge } from './codec.js'

const require = createRequire(import.meta.url)
// Loaded on first use: native modules cost start-up time that a broker
// which never sees this codec should not pay.
let zstdModule: typeof import('zstd-napi') | undefined
function zstd (): typeof import('zstd-napi') {
  zstdModule ??= require('zstd-napi') as typeof import('zstd-napi')
  return zstdModule
}
let bindingModule: typeof import('zstd-napi/binding.js') | undefined
function binding (): typeof import('zstd-napi/binding.js') {
  bindingModule ??= require('zstd-napi/binding') as typeof import('zstd-napi/binding.js')
  return bindingModule
}

/*
 * Kafka's zstd codec (KIP-110) is a plain zstd stream as written by zstd-jni.
 * zstd-napi is synchronous only; the async functions below exist so that
 * callers can treat every codec alike.
 *
 * Decompression goes through the streaming API in chunks so that the output
 * can be capped: the high-level `decompress` trusts the frame's declared
 * content size and, without one, grows its output without limit.
 */

/** Kafka's default `compression.zstd.level` (KIP-390), also zstd's own default. */
export const ZSTD_DEFAULT_LEVEL = 3

const MIN_CHUNK = 64 * 1024
const MAX_CHUNK = 4 * 1024 * 1024

// One context, reused: decoding is synchronous, so no two calls interleave.
type ZstdBinding = typeof import('zstd-napi/binding.js')
let dctx: InstanceType<ZstdBinding['DCtx']> | undefined

function context (): InstanceType<ZstdBinding['DCtx']> {
  dctx ??= new (binding().DCtx)()
  // Drop any half-decoded frame a previous failed call left behind.
  dctx.reset(binding().ResetDirective.sessionOnly)
  return dctx
}

export function zstdCompressSync (data: Uint8Array, level = ZSTD_DEFAULT_LEVEL): Buffer {
  return zstd().compress(data, { compressionLevel: level })
}

export async function zstdCompress (data: Uint8Array, level?: number): Promise<Buffer> {
  return zstdCompressSync(data, level)
}

function decode (input: Buffer, max: number): Buffer {
  const ctx = context()
  // Fast path: a single frame that declares its size, which fits the limit.
  const declared = binding().getFrameContentSize(input)
  if (declared !== null && declared <= max && binding().findFrameCompressedSize(input) === input.length) {
    const out = Buffer.allocUnsafe(declared)
    const n = ctx.decompress(out, input)
    if (n !== declared) throw new ProtocolDecodeError(`zstd frame declared ${declared} bytes but produced ${n}`)
    return out
  }
  const parts: Buffer[] = []
  let total = 0
  let src = input
  const chunkSize = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, input.length * 4))
  for (;;) {
    // One byte more than the remaining budget, so that overflow is visible.
    const room = Math.min(chunkSize, max - total + 1)
    const out = Buffer.allocUnsafe(room)
    const [hint, produced, consumed] = ctx.decompressStream(out, src)
    src = src.subarray(consumed)
    if (produced > 0) {
      total += produced
      if (total > max) throw outputTooLarge(CompressionCodec.ZSTD, max)
      parts.push(out.subarray(0, produced))
    }
    if (src.length === 0 && produced < room) {
      // All input consumed and the decoder has nothing more to flush.
      if (hint !== 0) throw new ProtocolDecodeError('truncated zstd frame')
      break
    }
    if (produced === 0 && consumed === 0) throw new ProtocolDecodeError('zstd decoder made no progress')
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total)
}

export function zstdDecompressSync (data: Uint8Array, max: number): Buffer {
  try {
    return decode(asBuffer(data), max)
  } catch (err) {
    throw corruptInput(CompressionCodec.ZSTD, err)
  }
}

export async function zstdDecompress (data: Uint8Array, max: number): Promise<Buffer> {
  return zstdDecompressSync(data, max)
}
