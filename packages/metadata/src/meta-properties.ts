import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileDurably } from '@tributary/log'

/**
 * `meta.properties` in each log directory, as Kafka writes it: the cluster
 * id and node id the directory belongs to, so that a directory is never
 * silently served by another cluster or node.
 */
export interface MetaProperties {
  clusterId: string
  nodeId: number
}

export class MetaPropertiesError extends Error {
  readonly code = 'TRIB_METADATA_META_PROPERTIES'
}

/**
 * A new cluster id: 16 random bytes in URL-safe base64, the form Kafka's
 * `Uuid.randomUuid()` prints; like Kafka, never starting with '-' (it would
 * read as an option on a command line).
 */
export function newClusterId (): string {
  // Web Crypto's global rather than node:crypto: node loads it only when a
  // directory is formatted, not on every start (~2 ms of a cold start).
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

function parse (text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim()
    if (t === '' || t.startsWith('#') || t.startsWith('!')) continue
    const i = t.search(/[=:]/)
    if (i < 0) continue
    out[t.slice(0, i).trim()] = t.slice(i + 1).trim()
  }
  return out
}

/**
 * Reads `meta.properties` from `dir`, or creates it. A configured cluster
 * id or node id that disagrees with the file is an error, as in Kafka
 * (InconsistentClusterIdException).
 */
export async function loadOrCreateMetaProperties (dir: string, wanted: { clusterId?: string | undefined, nodeId: number }): Promise<MetaProperties> {
  const path = join(dir, 'meta.properties')
  let text: string | undefined
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (text !== undefined) {
    const props = parse(text)
    const clusterId = props['cluster.id']
    const nodeId = Number(props['node.id'])
    if (clusterId === undefined || !Number.isInteger(nodeId)) {
      throw new MetaPropertiesError(`${path} is missing cluster.id or node.id`)
    }
    if (wanted.clusterId !== undefined && wanted.clusterId !== '' && wanted.clusterId !== clusterId) {
      throw new MetaPropertiesError(`The cluster id ${wanted.clusterId} does not match ${clusterId} stored in ${path}`)
    }
    if (wanted.nodeId !== nodeId) {
      throw new MetaPropertiesError(`node.id ${wanted.nodeId} does not match ${nodeId} stored in ${path}`)
    }
    return { clusterId, nodeId }
  }
  const meta = { clusterId: wanted.clusterId !== undefined && wanted.clusterId !== '' ? wanted.clusterId : newClusterId(), nodeId: wanted.nodeId }
  await writeFileDurably(path, `#Written by Tributary\nversion=1\ncluster.id=${meta.clusterId}\nnode.id=${meta.nodeId}\n`)
  return meta
}
