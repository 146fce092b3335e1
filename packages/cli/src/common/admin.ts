import type { Admin } from '@tributary/client'
import { clientOptions, type ConnectionSettings } from './connection.js'

/** Runs `fn` with an admin client that is always closed. The client is imported here, lazily, never by `start`. */
export async function withAdmin<T> (conn: ConnectionSettings, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const { Admin } = await import('@tributary/client')
  const admin = new Admin(clientOptions(conn))
  try {
    return await fn(admin)
  } finally {
    await admin.close()
  }
}
