import { startBroker, type Broker, type StartBrokerOptions } from '@tributary/broker'

export { run, runOk, runPython, SYSTEM_PYTHON, type RunOptions, type RunResult } from './processes.js'
export { withTimeout } from './with-timeout.js'
export { silentKafkaJsLogCreator, KAFKAJS_LOG_NOTHING } from './kafkajs-logger.js'

export interface TestBroker extends Broker {
  /** `host:port` of the first listener, for a client's bootstrap servers. */
  readonly bootstrap: string
}

/**
 * Starts an in-process broker for a test: an ephemeral port on 127.0.0.1,
 * a temp data directory (removed by close()) unless `dataDir` is given,
 * and `warn` logging. Any option overrides these, e.g.
 * `startTestBroker({ 'num.partitions': 3 })`. The caller closes it.
 */
export async function startTestBroker (options: StartBrokerOptions = {}): Promise<TestBroker> {
  const broker = await startBroker({ port: 0, host: '127.0.0.1', logLevel: 'warn', ...options })
  return Object.assign(broker, { bootstrap: `${broker.host}:${broker.port}` })
}
export { FaultProxy, type FaultProxyOptions } from './fault-proxy.js'
