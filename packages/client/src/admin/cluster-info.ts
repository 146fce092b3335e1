import { KafkaError } from '@tributary/protocol'
import { DescribeClusterApi } from '@tributary/protocol/apis/describe-cluster'
import { DescribeLogDirsApi } from '@tributary/protocol/apis/describe-log-dirs'
import type { Cluster } from '../cluster/cluster.js'

export interface ClusterDescription {
  clusterId: string
  controllerId: number
  brokers: Array<{ nodeId: number, host: string, port: number, rack: string | null }>
}

export async function describeCluster (cluster: Cluster): Promise<ClusterDescription> {
  const res = await cluster.retry('DescribeCluster', async () => await cluster.send('any', DescribeClusterApi, { includeClusterAuthorizedOperations: false }))
  if (res.errorCode !== 0) throw KafkaError.fromCode(res.errorCode, `DescribeCluster: ${res.errorMessage ?? ''}`)
  return {
    clusterId: res.clusterId,
    controllerId: res.controllerId,
    brokers: res.brokers.map(b => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId)
  }
}

export interface LogDirDescription {
  broker: number
  logDir: string
  totalBytes: bigint
  usableBytes: bigint
  partitions: Array<{ topic: string, partition: number, size: bigint, offsetLag: bigint }>
}

/** DescribeLogDirs at every broker (or the given ones), all topics. */
export async function describeLogDirs (cluster: Cluster, brokers?: readonly number[]): Promise<LogDirDescription[]> {
  await cluster.retry('Metadata', async () => await cluster.refreshMetadata([]))
  const out: LogDirDescription[] = []
  for (const nodeId of brokers ?? [...cluster.metadata.brokers.keys()]) {
    const res = await cluster.retry('DescribeLogDirs', async () => await cluster.send(nodeId, DescribeLogDirsApi, { topics: null }))
    if (res.errorCode !== 0) throw KafkaError.fromCode(res.errorCode, `DescribeLogDirs at broker ${nodeId}`)
    for (const d of res.results) {
      if (d.errorCode !== 0) throw KafkaError.fromCode(d.errorCode, `log dir ${d.logDir} at broker ${nodeId}`)
      out.push({
        broker: nodeId,
        logDir: d.logDir,
        totalBytes: d.totalBytes,
        usableBytes: d.usableBytes,
        partitions: d.topics.flatMap(t => t.partitions.map(p => ({ topic: t.name, partition: p.partitionIndex, size: p.partitionSize, offsetLag: p.offsetLag })))
      })
    }
  }
  return out
}
