// A scripted Kafka broker on 127.0.0.1 for unit tests of the client's
// state machines: ApiVersions, Metadata and FindCoordinator are answered
// from fields; every other request goes to `handlers[apiKey]`, which returns
// a response body (or undefined to stay silent).
import { createServer, type Server, type Socket } from 'node:net'
import { FrameDecoder, decodeRequestHeader, encodeFrame, encodeResponse } from '@tributary/protocol'
import { apiByKey } from '@tributary/protocol/apis'

export interface Received { apiKey: number, version: number, correlationId: number, clientId: string | null, body: any, socket: Socket }

export class FakeBroker {
  server!: Server
  port = 0
  versions: Array<{ apiKey: number, minVersion: number, maxVersion: number }> = [{ apiKey: 18, minVersion: 0, maxVersion: 3 }, { apiKey: 3, minVersion: 0, maxVersion: 12 }]
  apiVersionsErrorFirst = false
  seenApiVersions: number[] = []
  /** Requests other than ApiVersions, in arrival order. */
  readonly received: Received[] = []
  onRequest: (r: Received) => void = r => {
    const h = this.handlers[r.apiKey]
    if (h === undefined) return
    Promise.resolve(h(r)).then(body => { if (body !== undefined) this.respond(r, body) }, () => r.socket.destroy())
  }

  handlers: Record<number, (r: Received) => object | undefined | Promise<object | undefined>> = {}

  async start (): Promise<void> {
    this.server = createServer(socket => {
      const dec = new FrameDecoder()
      socket.on('error', () => {})
      socket.on('data', chunk => {
        for (const frame of dec.decode(chunk)) {
          const { header, api, body } = decodeRequestHeader(frame, apiByKey)
          const r: Received = { apiKey: header.requestApiKey, version: header.requestApiVersion, correlationId: header.correlationId, clientId: header.clientId, body: api!.readRequest(body, header.requestApiVersion), socket }
          if (r.apiKey === 18) {
            this.seenApiVersions.push(r.version)
            if (this.apiVersionsErrorFirst && this.seenApiVersions.length === 1) {
              socket.write(encodeFrame(encodeResponse(apiByKey(18)!, 0, r.correlationId, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 2 }] })))
            } else {
              socket.write(encodeFrame(encodeResponse(apiByKey(18)!, r.version, r.correlationId, { errorCode: 0, apiKeys: this.versions })))
            }
          } else {
            this.received.push(r)
            this.onRequest(r)
          }
        }
      })
    })
    await new Promise<void>(resolve => this.server.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as { port: number }).port
  }

  /** Serves Metadata (node 0 = this broker, the given topics) and FindCoordinator (node 0). */
  serveCluster (topics: Array<{ name: string, topicId: string, partitions: number }>): void {
    this.versions = [
      { apiKey: 18, minVersion: 0, maxVersion: 3 }, { apiKey: 3, minVersion: 0, maxVersion: 12 }, { apiKey: 10, minVersion: 0, maxVersion: 6 },
      { apiKey: 11, minVersion: 0, maxVersion: 9 }, { apiKey: 12, minVersion: 0, maxVersion: 4 }, { apiKey: 13, minVersion: 0, maxVersion: 5 },
      { apiKey: 14, minVersion: 0, maxVersion: 5 }, { apiKey: 68, minVersion: 0, maxVersion: 1 }
    ]
    this.handlers[3] = () => ({
      brokers: [{ nodeId: 0, host: '127.0.0.1', port: this.port, rack: null }],
      clusterId: 'fake',
      controllerId: 0,
      topics: topics.map(t => ({ errorCode: 0, name: t.name, topicId: t.topicId, isInternal: false, partitions: Array.from({ length: t.partitions }, (_, p) => ({ errorCode: 0, partitionIndex: p, leaderId: 0, leaderEpoch: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] })) }))
    })
    this.handlers[10] = r => r.version >= 4
      ? { coordinators: (r.body.coordinatorKeys as string[]).map(key => ({ key, nodeId: 0, host: '127.0.0.1', port: this.port, errorCode: 0, errorMessage: null })) }
      : { errorCode: 0, nodeId: 0, host: '127.0.0.1', port: this.port }
  }

  respond (r: Received, body: object): void {
    r.socket.write(encodeFrame(encodeResponse(apiByKey(r.apiKey)!, r.version, r.correlationId, body)))
  }

  requests (apiKey: number): Received[] {
    return this.received.filter(r => r.apiKey === apiKey)
  }

  async close (): Promise<void> {
    await new Promise(resolve => this.server.close(resolve))
  }
}
