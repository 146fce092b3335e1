import { ProtocolDecodeError } from '../primitives/errors.js'
import {
  CompressionCodec, asBuffer, codecName, resolveMaxBytes,
  type CompressOptions, type DecompressOptions
} from './compression/codec.js'
import { gzipCompress, gzipCompressSync, gzipDecompress, gzipDecompressSync } from './compression/gzip.js'
import { lz4Compress, lz4CompressSync, lz4Decompress, lz4DecompressSync } from './compression/lz4.js'
import { snappyCompress, snappyCompressSync, snappyDecompress, snappyDecompressSync } from './compression/snappy.js'
import { zstdCompress, zstdCompressSync, zstdDecompress, zstdDecompressSync } from './compression/zstd.js'

export {
  CompressionCodec, COMPRESSION_CODEC_NAMES, DEFAULT_MAX_DECOMPRESSED_BYTES, codecName, isCompressionCodec,
  type CompressOptions, type DecompressOptions
} from './compression/codec.js'
export { XERIAL_MAGIC, XERIAL_BLOCK_SIZE } from './compression/snappy.js'
export { LZ4_FRAME_MAGIC } from './compression/lz4.js'

/*
 * One entry point per direction for the record batch code. The async
 * variants run gzip, snappy and lz4 on libuv's thread pool; zstd has no
 * async binding and runs inline either way. Codec ids outside 0-4 are a
 * decode error (Kafka answers CORRUPT_MESSAGE for them).
 */

function unknown (codec: number): ProtocolDecodeError {
  return new ProtocolDecodeError(`unknown compression codec ${codecName(codec)}`)
}

export async function compress (codec: CompressionCodec, data: Uint8Array, opts?: CompressOptions): Promise<Buffer> {
  switch (codec) {
    case CompressionCodec.NONE: return Buffer.from(data)
    case CompressionCodec.GZIP: return await gzipCompress(data, opts?.level)
    case CompressionCodec.SNAPPY: return await snappyCompress(data)
    case CompressionCodec.LZ4: return await lz4Compress(data)
    case CompressionCodec.ZSTD: return await zstdCompress(data, opts?.level)
    default: throw unknown(codec)
  }
}

export function compressSync (codec: CompressionCodec, data: Uint8Array, opts?: CompressOptions): Buffer {
  switch (codec) {
    case CompressionCodec.NONE: return Buffer.from(data)
    case CompressionCodec.GZIP: return gzipCompressSync(data, opts?.level)
    case CompressionCodec.SNAPPY: return snappyCompressSync(data)
    case CompressionCodec.LZ4: return lz4CompressSync(data)
    case CompressionCodec.ZSTD: return zstdCompressSync(data, opts?.level)
    default: throw unknown(codec)
  }
}

/** Decompresses `data`; ProtocolDecodeError if it is corrupt or larger than `opts.maxBytes`. */
export async function decompress (codec: number, data: Uint8Array, opts?: DecompressOptions): Promise<Buffer> {
  const max = resolveMaxBytes(opts)
  switch (codec) {
    case CompressionCodec.NONE: return noneWithin(data, max)
    case CompressionCodec.GZIP: return await gzipDecompress(data, max)
    case CompressionCodec.SNAPPY: return await snappyDecompress(data, max)
    case CompressionCodec.LZ4: return await lz4Decompress(data, max)
    case CompressionCodec.ZSTD: return await zstdDecompress(data, max)
    default: throw unknown(codec)
  }
}

export function decompressSync (codec: number, data: Uint8Array, opts?: DecompressOptions): Buffer {
  const max = resolveMaxBytes(opts)
  switch (codec) {
    case CompressionCodec.NONE: return noneWithin(data, max)
    case CompressionCodec.GZIP: return gzipDecompressSync(data, max)
    case CompressionCodec.SNAPPY: return snappyDecompressSync(data, max)
    case CompressionCodec.LZ4: return lz4DecompressSync(data, max)
    case CompressionCodec.ZSTD: return zstdDecompressSync(data, max)
    default: throw unknown(codec)
  }
}

function noneWithin (data: Uint8Array, max: number): Buffer {
  if (data.length > max) throw new ProtocolDecodeError(`${data.length} bytes exceed the limit of ${max} bytes`)
  return asBuffer(data)
}
