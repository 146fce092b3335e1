import { open, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * Replaces `path` with `data` so that a crash at any moment leaves either
 * the old or the new content, never a mix: write a temporary file, fsync
 * it, rename it over the target, fsync the directory so the rename itself
 * is durable.
 */
export async function writeFileDurably (path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  try {
    await rename(tmp, path)
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw err
  }
  await syncDirectory(dirname(path))
}

export async function syncDirectory (dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}
