// A minimal Redis (RESP2) client for the produce benchmark's Redis Streams
// reference: pipelined commands on one connection, replies parsed
// incrementally (a reply of a thousand 1 KiB stream entries arrives in many
// chunks; each chunk is parsed once). Bulk strings stay Buffers sliced from
// the received chunks.
import net from 'node:net'

const CR = 13

export class RespClient {
  static connect (port, host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new RespClient(socket)))
      socket.once('error', reject)
    })
  }

  constructor (socket) {
    this.socket = socket
    socket.setNoDelay(true)
    this.pending = []
    this.buf = Buffer.alloc(0)
    this.stack = []
    socket.on('data', chunk => this.onData(chunk))
    socket.on('error', err => { for (const p of this.pending.splice(0)) p.reject(err) })
  }

  /** Sends one command (strings or Buffers); resolves with its reply. */
  send (...args) {
    const parts = [Buffer.from(`*${args.length}\r\n`)]
    for (const a of args) {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a))
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'))
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject })
      this.socket.write(Buffer.concat(parts))
    })
  }

  close () { this.socket.end(); this.socket.destroy() }

  onData (chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    let at = 0
    const b = this.buf
    for (;;) {
      if (at >= b.length) break
      const eol = b.indexOf(CR, at)
      if (eol < 0 || eol + 1 >= b.length) break
      const type = b[at]
      const line = b.toString('latin1', at + 1, eol)
      let value
      let next = eol + 2
      if (type === 0x24) { // $ bulk string
        const len = Number(line)
        if (len < 0) value = null
        else {
          if (next + len + 2 > b.length) break
          value = b.subarray(next, next + len)
          next += len + 2
        }
      } else if (type === 0x2a) { // * array
        const len = Number(line)
        at = next
        if (len > 0) { this.stack.push({ items: [], remaining: len }); continue }
        value = len < 0 ? null : []
      } else if (type === 0x2d) value = new Error(line) // - error
      else if (type === 0x3a) value = Number(line) // : integer
      else value = line // + simple string
      at = next
      this.emit(value)
    }
    this.buf = at >= b.length ? Buffer.alloc(0) : b.subarray(at)
  }

  emit (value) {
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1]
      top.items.push(value)
      if (--top.remaining > 0) return
      this.stack.pop()
      value = top.items
    }
    const p = this.pending.shift()
    if (p === undefined) return
    if (value instanceof Error) p.reject(value)
    else p.resolve(value)
  }
}
