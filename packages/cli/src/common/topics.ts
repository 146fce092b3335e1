import type { Admin, TopicInfo } from '@tributary/client'
import { CliError } from './errors.js'

const LIST_HINT = 'list topics with `tributary topic list`'

/** Metadata of topics that must exist: a missing one is reported by name, with a hint, instead of as a Kafka error code. */
export async function describeExisting (admin: Admin, names: readonly string[], hint = LIST_HINT): Promise<TopicInfo[]> {
  let infos: TopicInfo[]
  try {
    infos = await admin.describeTopics(names)
  } catch (err) {
    if ((err as { name?: string }).name !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err
    // Which one: ask one by one (the error does not say).
    for (const n of names) {
      await admin.describeTopics([n]).catch((e: { name?: string }) => {
        if (e.name === 'UNKNOWN_TOPIC_OR_PARTITION') throw new CliError(`topic '${n}' does not exist`, 1, hint)
        throw e
      })
    }
    throw err
  }
  for (const t of infos) if (t.errorCode !== 0) throw new CliError(`topic '${t.name}' does not exist`, 1, hint)
  return infos
}
