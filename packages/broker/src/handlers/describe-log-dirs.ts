// DescribeLogDirs (key 35), v0-4 (KIP-113). Every directory of log.dirs,
// as an absolute path, with the partitions it holds: partition_size is the
// bytes of the log's segments, offset_lag 0 (this node leads every
// partition it holds) and is_future_key false (no AlterReplicaLogDirs, so
// no future logs). Topics null: every partition; otherwise only the named
// topics and partitions, and those not here are left out (as Kafka's
// ReplicaManager.describeLogDirs). A directory that cannot be read (statfs
// fails) is reported with KAFKA_STORAGE_ERROR and no topics.
// v1: same as v0 (throttle on quota violation). v2: flexible. v3:
// top-level error_code (KIP-784), NONE: there is no authorizer to refuse
// CLUSTER DESCRIBE. v4: total_bytes and usable_bytes of the file system
// holding the directory (KIP-827), from statfs (usable: blocks available
// to an unprivileged user, as Java's FileStore.getUsableSpace).
import { statfs } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { ErrorCode, type Input } from '@tributary/protocol'
import { DescribeLogDirsApi, type DescribeLogDirsResponseDescribeLogDirsPartition, type DescribeLogDirsResponseDescribeLogDirsResult, type DescribeLogDirsResponseDescribeLogDirsTopic } from '@tributary/protocol/apis/describe-log-dirs'
import { defineHandler } from './define.js'

type Topic = Input<DescribeLogDirsResponseDescribeLogDirsTopic> & { partitions: Array<Input<DescribeLogDirsResponseDescribeLogDirsPartition>> }
type Result = Input<DescribeLogDirsResponseDescribeLogDirsResult>

async function fileSystemSpace (dir: string): Promise<{ totalBytes: bigint, usableBytes: bigint } | null> {
  try {
    const s = await statfs(dir, { bigint: true })
    return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize }
  } catch {
    return null
  }
}

export default defineHandler({
  api: DescribeLogDirsApi,
  minVersion: 0,
  maxVersion: 4,
  async handle (req, ctx) {
    const { broker } = ctx
    const image = broker.metadata.image()
    const logDirs = broker.config.staticConfig.logDirs.map(d => resolve(d))

    // The partitions asked for: topic -> partition indexes (null: all of them).
    let wanted: Map<string, number[] | null>
    if (req.topics === null) {
      wanted = new Map([...image.topics.values()].map(t => [t.name, null]))
    } else {
      wanted = new Map()
      for (const t of req.topics) wanted.set(t.topic, [...(wanted.get(t.topic) ?? []), ...t.partitions])
    }

    // logDir -> topic -> partitions.
    const byDir = new Map<string, Map<string, Topic>>(logDirs.map(d => [d, new Map()]))
    for (const [name, partitions] of wanted) {
      const topic = image.topics.get(name)
      if (topic === undefined) continue
      const indexes = partitions === null ? topic.partitions.map(p => p.index) : [...new Set(partitions)]
      for (const index of indexes) {
        // getAsync: a partition just created has its log once the metadata change is applied.
        const p = await broker.replicas?.getAsync(name, index)
        if (p === undefined) continue
        const topics = byDir.get(resolve(dirname(p.log.dir)))
        if (topics === undefined) continue
        let out = topics.get(name)
        if (out === undefined) topics.set(name, out = { name, partitions: [] })
        out.partitions.push({ partitionIndex: index, partitionSize: BigInt(p.log.size()), offsetLag: 0n, isFutureKey: false })
      }
    }

    const results: Result[] = await Promise.all(logDirs.map(async logDir => {
      const space = await fileSystemSpace(logDir)
      if (space === null) return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [], totalBytes: -1n, usableBytes: -1n }
      return { errorCode: ErrorCode.NONE, logDir, topics: [...byDir.get(logDir)!.values()], ...space }
    }))
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results }
  }
})
