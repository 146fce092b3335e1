import type { Admin, ConfigResource } from '@tributary/client'
import { usage } from '../common/errors.js'

/** `--broker ID` (the default: the first broker) or `--topic NAME`: kafka-configs.sh's --entity-type/--entity-name. */
export async function resourceOf (admin: Admin, opts: Record<string, unknown>): Promise<ConfigResource> {
  if (opts.topic !== undefined && opts.broker !== undefined) throw usage('--broker and --topic exclude each other')
  if (opts.topic !== undefined) return { type: 'topic', name: String(opts.topic) }
  if (opts.broker !== undefined) {
    if (!/^\d+$/.test(String(opts.broker))) throw usage(`--broker '${String(opts.broker)}' is not a broker id`, '`tributary cluster info` lists the ids')
    return { type: 'broker', name: String(opts.broker) }
  }
  const d = await admin.describeCluster()
  return { type: 'broker', name: String(d.brokers[0]?.nodeId ?? 0) }
}
