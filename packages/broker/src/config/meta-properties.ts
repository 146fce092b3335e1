import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { BrokerConfig } from './broker-config.js'
import { generateClusterId, isValidClusterId } from './cluster-id.js'
import { ConfigError } from './errors.js'
import { formatProperty, parsePropertiesToMap } from './properties.js'

/**
 * meta.properties in the first log directory records which cluster and
 * node the data belongs to, in the layout of Kafka's KRaft meta.properties
 * (version=1, cluster.id, node.id). It is how an unset cluster.id is
 * generated once and then kept, and how a directory is kept from being
 * opened by a broker of another cluster or with another node id.
 */

export const META_PROPERTIES = 'meta.properties'

export interface MetaProperties {
  readonly clusterId: string
  readonly nodeId: number
  /** The file read or written. */
  readonly path: string
  /** True when this call created the file (a new data directory). */
  readonly created: boolean
}

/**
 * Reads meta.properties from the first log directory, checking it against
 * the configuration, or creates directory and file when there is none.
 * Call once at startup, before the log directories are opened.
 */
export async function ensureMetaProperties (config: BrokerConfig): Promise<MetaProperties> {
  const dir = config.logDirs[0]!
  const path = join(dir, META_PROPERTIES)
  const existing = await readIfExists(path)
  if (existing !== undefined) return { ...checkExisting(existing, path, config), path, created: false }

  const clusterId = config.clusterId ?? generateClusterId()
  await mkdir(dir, { recursive: true })
  const text = [
    '#Written by Tributary when this directory was first used; do not edit.',
    formatProperty('version', '1'),
    formatProperty('cluster.id', clusterId),
    formatProperty('node.id', String(config.nodeId)),
    ''
  ].join('\n')
  await writeAtomically(path, text)
  return { clusterId, nodeId: config.nodeId, path, created: true }
}

function checkExisting (text: string, path: string, config: BrokerConfig): { clusterId: string, nodeId: number } {
  const props = parsePropertiesToMap(text)
  const version = props.get('version')
  if (version !== '1') {
    throw new ConfigError(`${path} has version ${version ?? '(none)'}; only version 1 (KRaft layout) is supported`)
  }
  const clusterId = props.get('cluster.id') ?? ''
  if (!isValidClusterId(clusterId)) throw new ConfigError(`${path} has an invalid cluster.id '${clusterId}'`)
  const nodeId = Number(props.get('node.id'))
  if (nodeId !== config.nodeId) {
    throw new ConfigError(
      `${path} belongs to node.id ${props.get('node.id') ?? '(none)'}, but this broker has node.id ${config.nodeId}`,
      { key: 'node.id' })
  }
  if (config.clusterId !== undefined && config.clusterId !== clusterId) {
    throw new ConfigError(
      `${path} belongs to cluster ${clusterId}, but cluster.id is configured as ${config.clusterId}`,
      { key: 'cluster.id' })
  }
  return { clusterId, nodeId }
}

async function readIfExists (path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Write to a temporary file, fsync, rename, fsync the directory: a crash leaves the old file or the new one. */
async function writeAtomically (path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`
  const file = await open(tmp, 'w')
  try {
    await file.writeFile(text, 'utf8')
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(tmp, path)
  const dir = await open(join(path, '..'), 'r')
  try {
    await dir.sync()
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename still happened.
  } finally {
    await dir.close()
  }
}
