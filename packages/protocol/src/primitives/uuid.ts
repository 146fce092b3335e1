import { ProtocolEncodeError } from './errors.js'

/**
 * UUIDs travel as 16 raw bytes; in memory we keep the canonical
 * 8-4-4-4-12 hex form so that ids compare with `===` and print readably.
 * Kafka's tools show ids in URL-safe base64 (Uuid.toString): see
 * uuidToBase64 / uuidFromBase64.
 */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

const HEX = '0123456789abcdef'

export function uuidFromBytes (b: Uint8Array, at = 0): string {
  let s = ''
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-'
    const x = b[at + i]!
    s += HEX[x >> 4]! + HEX[x & 15]!
  }
  return s
}

export function uuidToBytes (s: string): Buffer {
  const hex = s.replace(/-/g, '')
  if (hex.length !== 32 || !/^[0-9a-fA-F]{32}$/.test(hex)) throw new ProtocolEncodeError(`not a UUID: ${s}`)
  return Buffer.from(hex, 'hex')
}

export function uuidToBase64 (s: string): string {
  return uuidToBytes(s).toString('base64url')
}

export function uuidFromBase64 (s: string): string {
  const b = Buffer.from(s, 'base64url')
  if (b.length !== 16) throw new ProtocolEncodeError(`not a base64 UUID: ${s}`)
  return uuidFromBytes(b)
}
