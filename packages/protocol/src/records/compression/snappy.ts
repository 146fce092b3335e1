import { createRequire } from 'node:module'
import { ProtocolDecodeError } from '../../primitives/errors.js'
import { Reader } from '../../primitives/reader.js'
import { CompressionCodec, asBuffer, corruptInput, outputTooLarge } from './codec.js'

const require = createRequire(import.meta.url)
// Loaded on first use: native modules cost start-up time that a broker
// which never sees this codec should not pay.
let snappyModule: typeof import('snappy') | undefined
function snappy (): typeof import('snappy') {
  snappyModule ??= require('snappy') as typeof import('snappy')
  return snappyModule
}

/*
 * Kafka's Java client writes snappy through snappy-java's SnappyOutputStream,
 * the "xerial" framing (not Google's framing format):
 *
 *   magic   0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00     8 bytes
 *   version int32 BE (1)                          4 bytes
 *   compat  int32 BE (1)                          4 bytes
 *   then repeated: int32 BE block length, raw snappy block
 *
 * librdkafka reads that framing, and also falls back to a single raw snappy
 * block when the magic is absent; some clients write raw blocks. We accept
 * both and always write xerial framing, which every client can read.
 */
export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
export const XERIAL_HEADER_SIZE = 16
const XERIAL_VERSION = 1
const XERIAL_COMPATIBLE_VERSION = 1

/** snappy-java's default SnappyOutputStream block size, which Kafka does not override. */
export const XERIAL_BLOCK_SIZE = 32 * 1024

function xerialHeader (): Buffer {
  const h = Buffer.alloc(XERIAL_HEADER_SIZE)
  XERIAL_MAGIC.copy(h, 0)
  h.writeInt32BE(XERIAL_VERSION, 8)
  h.writeInt32BE(XERIAL_COMPATIBLE_VERSION, 12)
  return h
}

function hasXerialMagic (buf: Buffer, at: number): boolean {
  return buf.length - at >= XERIAL_HEADER_SIZE && buf.compare(XERIAL_MAGIC, 0, 8, at, at + 8) === 0
}

function chunks (data: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < data.length; i += XERIAL_BLOCK_SIZE) out.push(data.subarray(i, i + XERIAL_BLOCK_SIZE))
  return out
}

function frame (blocks: Buffer[]): Buffer {
  const parts: Buffer[] = [xerialHeader()]
  for (const b of blocks) {
    const len = Buffer.allocUnsafe(4)
    len.writeInt32BE(b.length, 0)
    parts.push(len, b)
  }
  return Buffer.concat(parts)
}

export function snappyCompressSync (data: Uint8Array): Buffer {
  return frame(chunks(asBuffer(data)).map(c => snappy().compressSync(c)))
}

export async function snappyCompress (data: Uint8Array): Promise<Buffer> {
  return frame(await Promise.all(chunks(asBuffer(data)).map(async c => await snappy().compress(c))))
}

/**
 * Splits the input into raw snappy blocks and checks, from each block's
 * length preamble, that the total output stays within `max` before any
 * decompression allocates memory.
 */
function blocksOf (input: Buffer, max: number): Buffer[] {
  const blocks: Buffer[] = []
  if (!hasXerialMagic(input, 0)) {
    blocks.push(input)
  } else {
    let at = XERIAL_HEADER_SIZE
    while (at < input.length) {
      // Concatenated xerial streams repeat the header; snappy-java skips it too.
      if (hasXerialMagic(input, at)) { at += XERIAL_HEADER_SIZE; continue }
      if (input.length - at < 4) throw new ProtocolDecodeError(`truncated xerial snappy block length at offset ${at}`)
      const len = input.readInt32BE(at)
      at += 4
      if (len < 0 || len > input.length - at) {
        throw new ProtocolDecodeError(`xerial snappy block of ${len} bytes does not fit in the ${input.length - at} bytes that remain`)
      }
      blocks.push(input.subarray(at, at + len))
      at += len
    }
  }
  let total = 0
  for (const b of blocks) {
    // Every raw snappy block starts with its uncompressed length as a uvarint.
    total += new Reader(b).uvarint()
    if (total > max) throw outputTooLarge(CompressionCodec.SNAPPY, max)
  }
  return blocks
}

function uncompressBlockSync (block: Buffer): Buffer {
  return snappy().uncompressSync(block, { asBuffer: true }) as Buffer
}

export function snappyDecompressSync (data: Uint8Array, max: number): Buffer {
  const blocks = blocksOf(asBuffer(data), max)
  try {
    const out = blocks.map(uncompressBlockSync)
    return out.length === 1 ? out[0]! : Buffer.concat(out)
  } catch (err) {
    throw corruptInput(CompressionCodec.SNAPPY, err)
  }
}

export async function snappyDecompress (data: Uint8Array, max: number): Promise<Buffer> {
  const blocks = blocksOf(asBuffer(data), max)
  try {
    const out = await Promise.all(blocks.map(async b => await snappy().uncompress(b, { asBuffer: true }) as Buffer))
    return out.length === 1 ? out[0]! : Buffer.concat(out)
  } catch (err) {
    throw corruptInput(CompressionCodec.SNAPPY, err)
  }
}
