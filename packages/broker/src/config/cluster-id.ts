/**
 * Cluster ids in Kafka's format: the 16 bytes of a random UUID in URL-safe
 * base64 without padding (22 characters), what `kafka-storage random-uuid`
 * prints. New ids are made by @tributary/metadata (newClusterId) when the
 * first log directory is formatted.
 */

export function isValidClusterId (id: string): boolean {
  if (!/^[A-Za-z0-9_-]{22}$/.test(id)) return false
  // Canonical form only: the last character must not carry stray bits.
  return Buffer.from(id, 'base64url').toString('base64url') === id
}

export function checkClusterId (value: unknown): string | undefined {
  return isValidClusterId(String(value))
    ? undefined
    : 'must be 16 bytes in URL-safe base64 without padding (22 characters), as printed by kafka-storage random-uuid'
}
