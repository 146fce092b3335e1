import { runOk, type TestBroker } from '@tributary/testkit'

/** One record as `kcat -C -J` prints it. */
export interface KcatMessage { partition: number, offset: number, key: string | null, payload: string | null, headers?: string[], ts?: number }

/** Every record of `topic` from the beginning, read by kcat (librdkafka), which exits at the end of each partition. */
export async function kcatConsume (broker: TestBroker, topic: string, timeoutMs = 30_000): Promise<KcatMessage[]> {
  const r = await runOk('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-J', '-q'], { timeoutMs })
  return r.stdout.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as KcatMessage)
}
