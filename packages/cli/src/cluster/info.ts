import { withAdmin } from '../common/admin.js'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'

/** `tributary cluster info`: cluster id, controller and brokers (DescribeCluster), with the topic count. */
export async function run (ctx: Ctx): Promise<void> {
  const info = await withAdmin(ctx.conn, async admin => {
    const d = await admin.describeCluster()
    const topics = await admin.listTopics()
    return { ...d, topics: topics.length }
  })
  if (ctx.format === 'json') { ctx.out(toJson(info)); return }
  ctx.out('CLUSTER\n=======\n' + table(['cluster-id', 'controller', 'topics'], [[info.clusterId, info.controllerId, info.topics]]) +
    '\nBROKERS\n=======\n' + table(['id', 'host', 'port', 'rack'], info.brokers.map(b => [`${b.nodeId}${b.nodeId === info.controllerId ? '*' : ''}`, b.host, b.port, b.rack])))
}
