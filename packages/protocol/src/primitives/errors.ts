/**
 * Typed errors of the protocol layer. Codes are stable strings so that
 * callers can branch on them (`err.code === 'TRIB_PROTOCOL_DECODE'`).
 */
export class ProtocolError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** The bytes do not form a valid message: truncated, oversized or malformed. */
export class ProtocolDecodeError extends ProtocolError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('TRIB_PROTOCOL_DECODE', message, options)
  }
}

/**
 * A value cannot be written in the requested version, e.g. a non-default
 * field that the version does not have (Kafka's UnsupportedVersionException).
 */
export class UnsupportedVersionError extends ProtocolError {
  constructor (message: string) {
    super('TRIB_PROTOCOL_UNSUPPORTED_VERSION', message)
  }
}

/** A value is out of range for its wire type (e.g. an int16 above 32767). */
export class ProtocolEncodeError extends ProtocolError {
  constructor (message: string) {
    super('TRIB_PROTOCOL_ENCODE', message)
  }
}
