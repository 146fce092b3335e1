import net from 'node:net'
import { FrameDecoder, decodeResponse, encodeRequest, type ApiDescriptor, type Input } from '@tributary/protocol'

/**
 * A minimal Kafka client over one socket for broker tests: sends a request,
 * reads one response frame, with a timeout on every wait.
 */
export class RawClient {
  private readonly frames: Buffer[] = []
  private waiters: ((f: Buffer | null) => void)[] = []
  private correlation = 0
  closed = false

  private constructor (private readonly socket: net.Socket) {
    const decoder = new FrameDecoder()
    socket.on('data', chunk => {
      for (const f of decoder.decode(chunk)) {
        const w = this.waiters.shift()
        if (w !== undefined) w(Buffer.from(f))
        else this.frames.push(Buffer.from(f))
      }
    })
    socket.on('close', () => {
      this.closed = true
      for (const w of this.waiters.splice(0)) w(null)
    })
    socket.on('error', () => {})
  }

  static connect (port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host })
      const t = setTimeout(() => { s.destroy(); reject(new Error('connect timeout')) }, timeoutMs)
      s.once('connect', () => { clearTimeout(t); resolve(new RawClient(s)) })
      s.once('error', e => { clearTimeout(t); reject(e) })
    })
  }

  sendRaw (frame: Buffer): void { this.socket.write(frame) }

  /** The next response frame, or null if the broker closed the connection (15 s: a durable write on a loaded CI machine can take seconds). */
  next (timeoutMs = 15_000): Promise<Buffer | null> {
    const ready = this.frames.shift()
    if (ready !== undefined) return Promise.resolve(ready)
    if (this.closed) return Promise.resolve(null)
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no response within ${timeoutMs} ms`)), timeoutMs)
      this.waiters.push(f => { clearTimeout(t); resolve(f) })
    })
  }

  async request<Req, Res> (api: ApiDescriptor<Req, Res>, version: number, body: Input<Req>): Promise<Res> {
    const id = ++this.correlation
    this.sendRaw(encodeRequest(api, version, id, 'raw-client', body))
    const frame = await this.next()
    if (frame === null) throw new Error(`connection closed before the ${api.name} response`)
    const { correlationId, body: res } = decodeResponse(api, version, frame)
    if (correlationId !== id) throw new Error(`correlation id ${correlationId}, expected ${id}`)
    return res
  }

  close (): void { this.socket.destroy() }
}
