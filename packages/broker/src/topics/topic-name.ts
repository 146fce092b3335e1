/**
 * Kafka's rules for topic names (Topic.validate): 1 to 249 characters of
 * ASCII letters, digits, '.', '_' and '-', and not "." or "..".
 * Returns the reason a name is illegal, or undefined when it is legal.
 */
export const MAX_TOPIC_NAME_LENGTH = 249

export function topicNameProblem (name: string): string | undefined {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty'
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."'
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`
  return undefined
}

