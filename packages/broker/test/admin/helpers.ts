import { ErrorCode } from '@tributary/protocol'
import { CreateTopicsApi, DescribeGroupsApi, FindCoordinatorApi, MetadataApi } from '@tributary/protocol/apis'
import { startBroker, type Broker, type StartBrokerOptions } from '../../src/index.js'
import { RawClient } from '../raw-client.js'

/** Starts a broker with `options`, connects one raw client, and closes both afterwards. */
export async function withBroker (options: StartBrokerOptions, fn: (c: RawClient, broker: Broker) => Promise<void>): Promise<void> {
  const broker = await startBroker({ port: 0, ...options })
  const c = await RawClient.connect(broker.port)
  try {
    await fn(c, broker)
  } finally {
    c.close()
    await broker.close()
  }
}

/** Creates topics with CreateTopics v7 and fails unless each was created; returns their ids. */
export async function createTopics (c: RawClient, topics: Array<{ name: string, partitions?: number, configs?: Record<string, string> }>): Promise<string[]> {
  const res = await c.request(CreateTopicsApi, 7, {
    topics: topics.map(t => ({
      name: t.name,
      numPartitions: t.partitions ?? -1,
      replicationFactor: -1,
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value }))
    })),
    timeoutMs: 5000
  })
  for (const t of res.topics) {
    if (t.errorCode !== ErrorCode.NONE) throw new Error(`creating ${t.name} failed: ${t.errorCode} ${t.errorMessage ?? ''}`)
  }
  return res.topics.map(t => t.topicId)
}

/** Topic name -> partition count, as Metadata v12 reports them (null: every topic). */
export async function partitionCounts (c: RawClient, names: string[] | null = null): Promise<Record<string, number>> {
  const res = await c.request(MetadataApi, 12, { topics: names?.map(name => ({ name })) ?? null, allowAutoTopicCreation: false })
  return Object.fromEntries(res.topics.filter(t => t.errorCode === ErrorCode.NONE).map(t => [t.name!, t.partitions.length]))
}

/** Answers of a coordinator that is not serving a group yet (creating or loading its partition). */
const COORDINATOR_NOT_READY = new Set<number>([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE])

/**
 * FindCoordinator for a group, then waits (bounded, 15 s) until that
 * coordinator has loaded its __consumer_offsets partition: the first lookup
 * creates the topic and the load runs in the background, answering group
 * requests with COORDINATOR_LOAD_IN_PROGRESS meanwhile, which real clients
 * retry. Any other DescribeGroups answer comes from a loaded coordinator.
 */
export async function findGroupCoordinator (c: RawClient, group: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const found = await c.request(FindCoordinatorApi, 3, { key: group, keyType: 0 })
    if (found.errorCode === ErrorCode.NONE) {
      const d = await c.request(DescribeGroupsApi, 5, { groups: [group], includeAuthorizedOperations: false })
      if (!COORDINATOR_NOT_READY.has(d.groups[0]!.errorCode)) return
    } else if (!COORDINATOR_NOT_READY.has(found.errorCode)) {
      throw new Error(`FindCoordinator for ${group}: error ${found.errorCode}`)
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`the coordinator of ${group} did not load within 15 s`)
}
