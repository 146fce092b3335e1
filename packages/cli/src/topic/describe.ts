import { describeExisting } from '../common/topics.js'
import { withAdmin } from '../common/admin.js'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'

/**
 * `tributary topic describe NAME`: rpk's SUMMARY and CONFIGS sections plus
 * the partitions with leader, replicas, ISR, log start and high watermark
 * (what kafka-topics.sh --describe and kafka-get-offsets.sh show together).
 */
export async function run (ctx: Ctx, [name]: string[]): Promise<number> {
  const d = await withAdmin(ctx.conn, async admin => {
    const [info] = await describeExisting(admin, [name!])
    const parts = info!.partitions.map(p => ({ partition: p.partition, spec: 'earliest' as const }))
    const starts = await admin.listOffsets(name!, parts)
    const ends = await admin.listOffsets(name!, parts.map(p => ({ ...p, spec: 'latest' as const })))
    const [configs] = await admin.describeConfigs([{ type: 'topic', name: name! }])
    return {
      name: info!.name,
      topicId: info!.topicId,
      internal: info!.isInternal,
      partitionCount: info!.partitions.length,
      replicationFactor: info!.partitions[0]?.replicas.length ?? 0,
      partitions: info!.partitions.map(p => ({
        partition: p.partition,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicas,
        isr: p.isr,
        logStartOffset: starts.find(s => s.partition === p.partition)?.offset ?? -1n,
        highWatermark: ends.find(s => s.partition === p.partition)?.offset ?? -1n
      })),
      configs: (configs?.configs ?? []).map(c => ({ key: c.name, value: c.isSensitive ? null : c.value, source: c.source }))
    }
  })
  if (ctx.format === 'json') {
    ctx.out(toJson(d))
    return 0
  }
  ctx.out('SUMMARY\n=======\n' + table(['key', 'value'], [['NAME', d.name], ['ID', d.topicId], ['PARTITIONS', d.partitionCount], ['REPLICAS', d.replicationFactor], ['INTERNAL', d.internal]]).split('\n').slice(1).join('\n'))
  ctx.out('\nCONFIGS\n=======\n' + table(['key', 'value', 'source'], d.configs.map(c => [c.key, c.value, c.source])))
  ctx.out('\nPARTITIONS\n==========\n' + table(['partition', 'leader', 'epoch', 'replicas', 'isr', 'log-start-offset', 'high-watermark'],
    d.partitions.map(p => [p.partition, p.leader, p.leaderEpoch, p.replicas.join(','), p.isr.join(','), p.logStartOffset, p.highWatermark])))
  return 0
}
