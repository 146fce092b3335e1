import { createRequire } from 'node:module'
import { ProtocolDecodeError } from '../../primitives/errors.js'
import { CompressionCodec, asBuffer, corruptInput, outputTooLarge } from './codec.js'

const require = createRequire(import.meta.url)
// Loaded on first use: native modules cost start-up time that a broker
// which never sees this codec should not pay.
let lz4Module: typeof import('lz4-napi') | undefined
function lz4 (): typeof import('lz4-napi') {
  lz4Module ??= require('lz4-napi') as typeof import('lz4-napi')
  return lz4Module
}

/*
 * Kafka's lz4 codec is the LZ4 *frame* format (magic 0x184D2204, KIP-57).
 * Magic v0/v1 messages carried a header checksum computed the wrong way;
 * magic v2 batches, the only ones we handle, use the standard frame, so
 * lz4-napi's frame functions read and write them directly.
 *
 * The library cannot cap its output, so before decompressing we walk the
 * frame structure ourselves: every compressed block decodes to at most the
 * frame's declared block maximum (64 KiB to 4 MiB) and every stored block to
 * exactly its size, which bounds the output from the headers alone.
 */
export const LZ4_FRAME_MAGIC = 0x184d2204

const BLOCK_MAX_SIZES: Readonly<Record<number, number>> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 }

interface Lz4Block { data: Buffer, maxSize: number, stored: boolean }

interface Lz4Layout {
  /** Upper bound on the decompressed size. */
  bound: number
  /** Whether every frame uses independent blocks, so that blocks can be sized one by one. */
  independent: boolean
  blocks: Lz4Block[]
}

function fail (msg: string): ProtocolDecodeError {
  return new ProtocolDecodeError(`corrupt lz4 frame: ${msg}`)
}

/** Parses the frame headers and block lengths of one or more concatenated frames. */
export function lz4FrameLayout (input: Buffer): Lz4Layout {
  const layout: Lz4Layout = { bound: 0, independent: true, blocks: [] }
  let at = 0
  const need = (n: number, what: string): void => {
    if (input.length - at < n) throw fail(`truncated ${what} at offset ${at}`)
  }
  do {
    need(7, 'frame header')
    if (input.readUInt32LE(at) !== LZ4_FRAME_MAGIC) throw fail(`bad magic 0x${input.readUInt32LE(at).toString(16)} at offset ${at}`)
    const flg = input[at + 4]!
    const bd = input[at + 5]!
    if ((flg >> 6) !== 1) throw fail(`unsupported frame version ${flg >> 6}`)
    if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw fail('reserved descriptor bits set')
    if ((flg & 0x01) !== 0) throw fail('frame needs a dictionary, which Kafka never uses')
    const maxSize = BLOCK_MAX_SIZES[(bd >> 4) & 0x07]
    if (maxSize === undefined) throw fail(`invalid block maximum size id ${(bd >> 4) & 0x07}`)
    const independent = (flg & 0x20) !== 0
    const blockChecksum = (flg & 0x10) !== 0
    const contentSize = (flg & 0x08) !== 0
    const contentChecksum = (flg & 0x04) !== 0
    if (!independent) layout.independent = false
    at += 6 + (contentSize ? 8 : 0) + 1 // magic, FLG, BD, optional content size, HC
    for (;;) {
      need(4, 'block size')
      const word = input.readUInt32LE(at)
      at += 4
      if (word === 0) break // end mark
      const stored = (word & 0x80000000) !== 0
      const size = word & 0x7fffffff
      if (size > maxSize) throw fail(`block of ${size} bytes exceeds the frame's maximum of ${maxSize}`)
      need(size + (blockChecksum ? 4 : 0), 'block')
      layout.blocks.push({ data: input.subarray(at, at + size), maxSize, stored })
      layout.bound += stored ? size : maxSize
      at += size + (blockChecksum ? 4 : 0)
    }
    if (contentChecksum) { need(4, 'content checksum'); at += 4 }
  } while (at < input.length)
  return layout
}

/**
 * Exact decompressed size of a frame with independent blocks, found by
 * decoding block by block into buffers of the block maximum (at most 4 MiB
 * at a time). Used only when the header bound exceeds the caller's limit.
 */
function exactSize (layout: Lz4Layout, max: number): number {
  let total = 0
  for (const b of layout.blocks) {
    if (b.stored) {
      total += b.data.length
    } else {
      // lz4-napi's block decoder takes a little-endian size prefix as the output capacity.
      const framed = Buffer.allocUnsafe(4 + b.data.length)
      framed.writeUInt32LE(b.maxSize, 0)
      b.data.copy(framed, 4)
      total += lz4().uncompressSync(framed).length
    }
    if (total > max) throw outputTooLarge(CompressionCodec.LZ4, max)
  }
  return total
}

function checkBound (input: Buffer, max: number): void {
  const layout = lz4FrameLayout(input)
  if (layout.bound <= max) return
  if (!layout.independent) {
    // Linked blocks cannot be decoded one at a time, so the bound is all we have.
    throw new ProtocolDecodeError(`lz4 frame with linked blocks may decompress to ${layout.bound} bytes, above the limit of ${max}`)
  }
  exactSize(layout, max)
}

export function lz4CompressSync (data: Uint8Array): Buffer {
  return lz4().compressFrameSync(asBuffer(data))
}

export async function lz4Compress (data: Uint8Array): Promise<Buffer> {
  return await lz4().compressFrame(data)
}

export function lz4DecompressSync (data: Uint8Array, max: number): Buffer {
  const input = asBuffer(data)
  let out: Buffer
  try {
    checkBound(input, max)
    out = lz4().decompressFrameSync(input)
  } catch (err) {
    throw corruptInput(CompressionCodec.LZ4, err)
  }
  if (out.length > max) throw outputTooLarge(CompressionCodec.LZ4, max)
  return out
}

export async function lz4Decompress (data: Uint8Array, max: number): Promise<Buffer> {
  const input = asBuffer(data)
  let out: Buffer
  try {
    checkBound(input, max)
    out = await lz4().decompressFrame(input)
  } catch (err) {
    throw corruptInput(CompressionCodec.LZ4, err)
  }
  if (out.length > max) throw outputTooLarge(CompressionCodec.LZ4, max)
  return out
}
