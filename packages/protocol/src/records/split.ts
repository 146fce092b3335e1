import { ProtocolDecodeError } from '../primitives/errors.js'
import { CURRENT_MAGIC, LENGTH_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, MIN_BATCH_LENGTH } from './batch-header.js'

export interface SplitBatches {
  /** Complete batches, as views into the input. */
  batches: Buffer[]
  /** Bytes after the last complete batch: empty, or the start of a batch cut short. */
  leftover: Buffer
}

/** Bytes needed to see a batch's length and magic. */
const HEADER_UP_TO_MAGIC = MAGIC_OFFSET + 1

/**
 * Cuts a records blob (a log segment range, a Fetch response's `records`)
 * into batches. A fetch may end in a partial batch, because the broker cuts
 * at the byte limit, so a short tail is returned as `leftover` rather than
 * reported as an error, as Kafka's ByteBufferLogInputStream does. A length
 * field that cannot be a v2 batch or a magic other than 2 is an error.
 * Neither CRCs nor records are checked here.
 */
export function splitBatches (buf: Buffer): SplitBatches {
  const batches: Buffer[] = []
  let at = 0
  while (buf.length - at >= HEADER_UP_TO_MAGIC) {
    const batchLength = buf.readInt32BE(at + LENGTH_OFFSET)
    const magic = buf.readInt8(at + MAGIC_OFFSET)
    if (magic !== CURRENT_MAGIC) throw new ProtocolDecodeError(`unsupported record batch magic ${magic} at offset ${at}`)
    if (batchLength < MIN_BATCH_LENGTH) throw new ProtocolDecodeError(`record batch length ${batchLength} at offset ${at} is smaller than a batch header`)
    const size = LOG_OVERHEAD + batchLength
    if (buf.length - at < size) break
    batches.push(buf.subarray(at, at + size))
    at += size
  }
  return { batches, leftover: buf.subarray(at) }
}
