import { withAdmin } from '../common/admin.js'
import { CliError } from '../common/errors.js'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'
import { resourceOf } from './resource.js'

/** `tributary config get [KEY...] [--broker ID | --topic NAME]`: KEY VALUE SOURCE (DescribeConfigs); sensitive values are hidden. */
export async function run (ctx: Ctx, keys: string[], opts: Record<string, unknown>): Promise<number> {
  const res = await withAdmin(ctx.conn, async admin => {
    const resource = await resourceOf(admin, opts)
    const [r] = await admin.describeConfigs([{ ...resource, keys: keys.length > 0 ? keys : undefined }])
    return { resource, configs: r?.configs ?? [] }
  })
  const missing = keys.filter(k => !res.configs.some(c => c.name === k))
  if (missing.length > 0) throw new CliError(`unknown configuration key${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for ${res.resource.type} ${res.resource.name}`, 1, 'run `tributary config get` without keys to list them all')
  const rows = res.configs.map(c => ({ key: c.name, value: c.isSensitive ? null : c.value, source: c.source, readOnly: c.readOnly })).sort((a, b) => a.key.localeCompare(b.key))
  ctx.out(ctx.format === 'json' ? toJson({ resource: res.resource, configs: rows }) : table(['key', 'value', 'source'], rows.map(r => [r.key, r.value, r.source])))
  return 0
}
