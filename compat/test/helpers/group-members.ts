// Consumer group members of two real clients speaking the KIP-848 consumer
// group protocol (ConsumerGroupHeartbeat), behind one small interface:
//   @platformatic/kafka         groupProtocol: 'consumer'
//   @confluentinc/kafka-javascript  'group.protocol': 'consumer' (librdkafka 2.15, its KafkaJS API)
// Run as a script (`node group-members.js <client> <bootstrap> <group> <topic>`)
// it is one member in a child process that prints its assignment as JSON
// lines, so that a test can SIGKILL it.
import { createRequire } from 'node:module'
import { Consumer, stringDeserializers } from '@platformatic/kafka'

export type ClientName = 'platformatic' | 'confluent'

export interface Member {
  readonly name: string
  /** The partitions the client says it owns now, as "topic:partition", sorted. */
  assignment (): string[]
  /** Every message it consumed, as "topic:partition:offset". */
  readonly seen: Set<string>
  /** Leaves the group (a last heartbeat with epoch -1) and closes. */
  close (): Promise<void>
}

export interface MemberOptions {
  bootstrap: string
  groupId: string
  /** Topic names; RegExp only for confluent (a SubscribedTopicRegex). */
  topics: Array<string | RegExp>
  name: string
  /** group.instance.id (KIP-848 static membership); confluent only. */
  instanceId?: string
}

const sortParts = (xs: string[]): string[] => xs.sort((a, b) => {
  const [ta, pa] = [a.slice(0, a.lastIndexOf(':')), Number(a.slice(a.lastIndexOf(':') + 1))]
  const [tb, pb] = [b.slice(0, b.lastIndexOf(':')), Number(b.slice(b.lastIndexOf(':') + 1))]
  return ta < tb ? -1 : ta > tb ? 1 : pa - pb
})

export async function platformaticMember (o: MemberOptions): Promise<Member> {
  const consumer = new Consumer({
    clientId: o.name,
    groupId: o.groupId,
    bootstrapBrokers: [o.bootstrap],
    groupProtocol: 'consumer',
    // @platformatic/kafka wants it at least its (classic) session timeout, 60 s by default.
    rebalanceTimeout: 60_000,
    timeout: 5000,
    retries: 5,
    deserializers: stringDeserializers
  })
  const seen = new Set<string>()
  const stream = await consumer.consume({ topics: o.topics.map(String), mode: 'committed', fallbackMode: 'earliest', autocommit: 100 })
  stream.on('data', (m: { topic: string, partition: number, offset: bigint }) => { seen.add(`${m.topic}:${m.partition}:${m.offset}`) })
  stream.on('error', () => {})
  return {
    name: o.name,
    seen,
    assignment: () => sortParts((consumer.assignments ?? []).flatMap(a => a.partitions.map(p => `${a.topic}:${p}`))),
    close: async () => {
      await stream.close().catch(() => {})
      await consumer.close(true)
    }
  }
}

/** The native module, loaded at run time: it is an optional dependency that builds librdkafka when installed. */
export function loadConfluent (): any {
  try {
    return createRequire(import.meta.url)('@confluentinc/kafka-javascript')
  } catch (err) {
    throw new Error(`@confluentinc/kafka-javascript is not installed or did not build (${(err as Error).message}); ` +
      'install with CKJS_LINKING=dynamic npm install (npm test does), which builds its bundled librdkafka against Debian\'s OpenSSL and zlib')
  }
}

export async function confluentMember (o: MemberOptions): Promise<Member> {
  const { KafkaJS } = loadConfluent()
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [o.bootstrap], logLevel: KafkaJS.logLevel.NOTHING } })
  const consumer = kafka.consumer({
    kafkaJS: { groupId: o.groupId, fromBeginning: true, autoCommit: true, autoCommitInterval: 100 },
    'group.protocol': 'consumer',
    'client.id': o.name,
    ...(o.instanceId === undefined ? {} : { 'group.instance.id': o.instanceId })
  })
  const seen = new Set<string>()
  let closed = false
  await consumer.connect()
  await consumer.subscribe({ topics: o.topics })
  await consumer.run({
    eachMessage: async ({ topic, partition, message }: { topic: string, partition: number, message: { offset: string } }) => {
      seen.add(`${topic}:${partition}:${message.offset}`)
    }
  })
  return {
    name: o.name,
    seen,
    // The KafkaJS API throws once disconnected: a closed member owns nothing.
    assignment: () => closed ? [] : sortParts((consumer.assignment() as Array<{ topic: string, partition: number }>).map(tp => `${tp.topic}:${tp.partition}`)),
    close: async () => { closed = true; await consumer.disconnect() }
  }
}

export function makeMember (client: ClientName, o: MemberOptions): Promise<Member> {
  return client === 'platformatic' ? platformaticMember(o) : confluentMember(o)
}

// As a child process: one member that prints {"assignment": [...]} whenever it changes, until killed.
const [, script, client, bootstrap, groupId, topic] = process.argv
if (script !== undefined && /group-members\.js$/.test(script) && client !== undefined) {
  const member = await makeMember(client as ClientName, { bootstrap: bootstrap!, groupId: groupId!, topics: [topic!], name: `child-${client}` })
  let last = ''
  // A hard limit, should the test that spawned it die without killing it.
  setTimeout(() => process.exit(0), 120_000).unref()
  setInterval(() => {
    const now = JSON.stringify(member.assignment())
    if (now !== last) { last = now; process.stdout.write(`${JSON.stringify({ assignment: member.assignment() })}\n`) }
  }, 50)
}
