import type { MetadataStore, ProducerIdBlock } from '@tributary/metadata'

/** Kafka's controller hands producer ids to brokers in blocks of this many (ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE). */
export const PRODUCER_ID_BLOCK_SIZE = 1000

/**
 * The broker's producer id generator (Kafka's RPCProducerIdManager): ids
 * come from a block allocated durably in the metadata store, so that an id
 * is never handed out twice, even across restarts (ids left in a block at a
 * stop are skipped, as in Kafka). The next block is fetched when the
 * current one is 90% used, so a request rarely waits for it.
 */
export class ProducerIdManager {
  private block: ProducerIdBlock | null = null
  private next = 0n
  private fetching: Promise<ProducerIdBlock> | null = null
  private prefetched: ProducerIdBlock | null = null

  constructor (private readonly metadata: Pick<MetadataStore, 'allocateProducerIds'>, private readonly blockSize = PRODUCER_ID_BLOCK_SIZE) {}

  async generate (): Promise<bigint> {
    for (;;) {
      const b = this.block
      if (b !== null && this.next < b.firstId + BigInt(b.count)) {
        const id = this.next++
        if (this.next - b.firstId >= BigInt(Math.ceil(b.count * 0.9))) this.prefetch()
        return id
      }
      if (this.prefetched !== null) {
        this.use(this.prefetched)
        this.prefetched = null
        continue
      }
      this.prefetch()
      const fetched = await this.fetching!
      // Another caller may have installed it while we waited.
      if (this.prefetched === fetched) { this.use(fetched); this.prefetched = null }
    }
  }

  private use (b: ProducerIdBlock): void {
    this.block = b
    this.next = b.firstId
  }

  private prefetch (): void {
    if (this.fetching !== null || this.prefetched !== null) return
    const p = this.metadata.allocateProducerIds(this.blockSize)
    this.fetching = p
    p.then(b => { this.prefetched = b }, () => {}).finally(() => { if (this.fetching === p) this.fetching = null })
  }
}
