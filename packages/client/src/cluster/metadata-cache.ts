import type { MetadataResponse } from '@tributary/protocol/apis/metadata'

export interface BrokerInfo { nodeId: number, host: string, port: number, rack: string | null }

export interface PartitionInfo {
  partition: number
  /** -1 while the partition has no leader. */
  leader: number
  leaderEpoch: number
  replicas: number[]
  isr: number[]
  offlineReplicas: number[]
  errorCode: number
}

export interface TopicInfo {
  name: string
  topicId: string
  isInternal: boolean
  errorCode: number
  /** Indexed by partition number. */
  partitions: PartitionInfo[]
}

/**
 * What the client knows of the cluster: brokers, controller and the topics
 * it has asked about. Replaced piece by piece from Metadata responses; a
 * topic absent from the latest response keeps its last known state until it
 * is asked for again (a partial refresh must not forget other topics).
 */
export class MetadataCache {
  clusterId: string | null = null
  controllerId = -1
  brokers = new Map<number, BrokerInfo>()
  readonly topics = new Map<string, TopicInfo>()
  private readonly fetchedAt = new Map<string, number>()

  update (res: MetadataResponse, now: number): void {
    this.clusterId = res.clusterId
    this.controllerId = res.controllerId
    this.brokers = new Map(res.brokers.map(b => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]))
    for (const t of res.topics) {
      if (t.name === null) continue
      const partitions: PartitionInfo[] = []
      for (const p of t.partitions) {
        partitions[p.partitionIndex] = {
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          errorCode: p.errorCode
        }
      }
      this.topics.set(t.name, { name: t.name, topicId: t.topicId, isInternal: t.isInternal, errorCode: t.errorCode, partitions })
      this.fetchedAt.set(t.name, now)
    }
  }

  /** A topic known with partitions and fetched within maxAgeMs. */
  fresh (topic: string, now: number, maxAgeMs: number): TopicInfo | undefined {
    const t = this.topics.get(topic)
    if (t === undefined || t.errorCode !== 0 || t.partitions.length === 0) return undefined
    if (now - (this.fetchedAt.get(topic) ?? 0) > maxAgeMs) return undefined
    return t
  }

  /** Forget a topic's state so the next use refreshes it (after NOT_LEADER_OR_FOLLOWER and friends). */
  invalidate (topic?: string): void {
    if (topic === undefined) this.fetchedAt.clear()
    else this.fetchedAt.delete(topic)
  }

  topicById (topicId: string): TopicInfo | undefined {
    for (const t of this.topics.values()) if (t.topicId === topicId) return t
    return undefined
  }
}
