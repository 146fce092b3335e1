// DeleteTopics (key 20), v0-6.
// v0-5 name topics in `topic_names`; v6 lists { name, topic_id } and may
// delete by id (UNKNOWN_TOPIC_ID when no topic has it). v1: throttle time.
// v3: TOPIC_DELETION_DISABLED when delete.topic.enable=false (v0-2 get
// INVALID_REQUEST instead, as in Kafka). v4: flexible. v5: error messages.
//
// The checks and messages are those of Kafka's ControllerApis.deleteTopics.
// Like Kafka 4 (KRaft), the broker does not refuse internal topics:
// kafka-topics.sh refuses to delete __consumer_offsets on the client side,
// the protocol allows it. Results come as topics by id, by name, then the
// refused entries (Kafka shuffles them, so clients match by name or id).
import { ErrorCode, ZERO_UUID, type Input } from '@tributary/protocol'
import { DeleteTopicsApi, type DeleteTopicsResponseDeletableTopicResult } from '@tributary/protocol/apis/delete-topics'
import { MetadataError, type MetadataImage, type TopicImage } from '@tributary/metadata'
import type { BrokerState } from '../state.js'
import { defineHandler } from './define.js'

type Result = Input<DeleteTopicsResponseDeletableTopicResult>

function result (name: string | null, topicId: string, errorCode: number, errorMessage: string | null = null): Result {
  return { name, topicId, errorCode, errorMessage }
}

/** What the request names: by name, or by id (v6). */
type Target = { kind: 'name', name: string } | { kind: 'id', id: string }

/** Splits the request into topics to delete and entries answered at once, as Kafka does. */
function targets (names: readonly string[], states: ReadonlyArray<{ name: string | null, topicId: string }>): { todo: Target[], answered: Result[] } {
  const answered: Result[] = []
  const byName = new Map<string, number>()
  const byId = new Map<string, number>()
  for (const n of names) byName.set(n, (byName.get(n) ?? 0) + 1)
  for (const s of states) {
    if (s.name === null) {
      if (s.topicId === ZERO_UUID) answered.push(result(null, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'))
      else byId.set(s.topicId, (byId.get(s.topicId) ?? 0) + 1)
    } else if (s.topicId === ZERO_UUID) {
      byName.set(s.name, (byName.get(s.name) ?? 0) + 1)
    } else {
      answered.push(result(s.name, s.topicId, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'))
    }
  }
  const todo: Target[] = []
  for (const [name, n] of byName) {
    if (n > 1) answered.push(result(name, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'))
    else todo.push({ kind: 'name', name })
  }
  for (const [id, n] of byId) {
    if (n > 1) answered.push(result(null, id, ErrorCode.INVALID_REQUEST, 'Duplicate topic id.'))
    else todo.push({ kind: 'id', id })
  }
  return { todo, answered }
}

/**
 * Resolves every target against one image before anything is deleted, as
 * Kafka resolves names and ids first: a name that maps to an id also given
 * by id is refused, whichever comes first.
 */
function resolve (image: MetadataImage, todo: readonly Target[]): Array<{ topic: TopicImage } | { answer: Result }> {
  const idsSeen = new Set<string>()
  const ordered = [...todo.filter(t => t.kind === 'id'), ...todo.filter(t => t.kind === 'name')]
  return ordered.map(target => {
    const topic = target.kind === 'name' ? image.topics.get(target.name) : image.topicsById.get(target.id)
    if (topic === undefined) {
      return {
        answer: target.kind === 'name'
          ? result(target.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
          : result(null, target.id, ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.')
      }
    }
    if (idsSeen.has(topic.id)) {
      return { answer: result(topic.name, topic.id, ErrorCode.INVALID_REQUEST, 'The provided topic name maps to an ID that was already supplied.') }
    }
    idsSeen.add(topic.id)
    return { topic }
  })
}

async function deleteOne (broker: BrokerState, topic: TopicImage): Promise<Result> {
  let deleted: TopicImage
  try {
    deleted = await broker.metadata.deleteTopicById(topic.id)
  } catch (err) {
    // Deleted by another request since we looked.
    if (err instanceof MetadataError && err.code === 'TRIB_METADATA_UNKNOWN_TOPIC_ID') {
      return result(topic.name, topic.id, ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.')
    }
    throw err
  }
  broker.log.info({ topic: deleted.name, topicId: deleted.id }, 'deleted topic')
  if (broker.onTopicDeleted !== undefined) {
    await broker.onTopicDeleted(deleted).catch((err: unknown) => {
      broker.log.error({ topic: deleted.name, err: (err as Error).message }, 'removing the data of a deleted topic failed')
    })
  }
  return result(deleted.name, deleted.id, ErrorCode.NONE)
}

export default defineHandler({
  api: DeleteTopicsApi,
  minVersion: 0,
  maxVersion: 6,
  async handle (req, ctx) {
    const { broker, version } = ctx
    const { todo, answered } = version >= 6 ? targets([], req.topics) : targets(req.topicNames, [])
    if (!broker.config.staticConfig.getBoolean('delete.topic.enable')) {
      const errorCode = version < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED
      const all = [...todo.map(t => t.kind === 'name' ? result(t.name, ZERO_UUID, errorCode) : result(null, t.id, errorCode)), ...answered]
      return { throttleTimeMs: 0, responses: all.map(r => ({ ...r, errorCode, errorMessage: 'Topic deletion is disabled.' })) }
    }
    const responses: Result[] = []
    for (const r of resolve(broker.metadata.image(), todo)) responses.push('answer' in r ? r.answer : await deleteOne(broker, r.topic))
    return { throttleTimeMs: 0, responses: [...responses, ...answered] }
  }
})
