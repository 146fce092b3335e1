import { ProtocolDecodeError } from '../../primitives/errors.js'

/**
 * Compression codec ids as stored in bits 0-2 of the record batch attributes.
 * The numbers are Kafka's (`CompressionType` ids); 5-7 are unassigned.
 */
export const CompressionCodec = {
  NONE: 0,
  GZIP: 1,
  SNAPPY: 2,
  LZ4: 3,
  ZSTD: 4
} as const
export type CompressionCodec = typeof CompressionCodec[keyof typeof CompressionCodec]

/** Kafka's names for the codecs, as used by the `compression.type` config. */
export const COMPRESSION_CODEC_NAMES: Readonly<Record<CompressionCodec, string>> = {
  0: 'none',
  1: 'gzip',
  2: 'snappy',
  3: 'lz4',
  4: 'zstd'
}

export function isCompressionCodec (n: number): n is CompressionCodec {
  return Number.isInteger(n) && n >= 0 && n <= 4
}

export function codecName (codec: number): string {
  return isCompressionCodec(codec) ? COMPRESSION_CODEC_NAMES[codec] : `unknown(${codec})`
}

/**
 * Default cap on the output of one decompression. Kafka itself has no such cap
 * (it streams records out of the compressed blob), but we materialise the
 * whole blob, so a small "zip bomb" batch could otherwise take the process
 * down. 256 MiB is far above any batch a default-configured producer builds
 * (`batch.size` 16 KiB, `max.request.size` 1 MiB) and still a bounded amount.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024

export interface DecompressOptions {
  /** Refuse output larger than this many bytes (default DEFAULT_MAX_DECOMPRESSED_BYTES). */
  maxBytes?: number
}

export interface CompressOptions {
  /**
   * Codec-specific level (KIP-390: `compression.gzip.level`, `compression.zstd.level`).
   * Ignored by snappy and lz4, which have no level in the libraries we use.
   */
  level?: number
}

export function resolveMaxBytes (opts: DecompressOptions | undefined): number {
  const max = opts?.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES
  if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`maxBytes must be a non-negative integer, got ${max}`)
  return max
}

export function outputTooLarge (codec: CompressionCodec, limit: number): ProtocolDecodeError {
  return new ProtocolDecodeError(`${codecName(codec)} data decompresses to more than the limit of ${limit} bytes`)
}

/** Wraps whatever a native codec threw into our decode error, keeping the original as `cause`. */
export function corruptInput (codec: CompressionCodec, err: unknown): ProtocolDecodeError {
  if (err instanceof ProtocolDecodeError) return err
  const detail = err instanceof Error ? err.message : String(err)
  return new ProtocolDecodeError(`corrupt ${codecName(codec)} data: ${detail}`, { cause: err })
}

/** Node Buffer view over any Uint8Array, without copying. */
export function asBuffer (data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}
