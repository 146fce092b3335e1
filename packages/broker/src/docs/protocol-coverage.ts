import { allApis } from '@tributary/protocol/apis'
import { handlers } from '../handlers/registry.js'

export const PROTOCOL_COVERAGE_DOC = 'docs/protocol-coverage.md'

/**
 * docs/protocol-coverage.md, derived from the handler registry: which Kafka
 * APIs the broker serves and in which versions, next to what the protocol
 * package can encode. A test keeps the committed file equal to this.
 */
export function renderProtocolCoverage (): string {
  const served = new Map(handlers.map(h => [h.api.apiKey, h]))
  const lines = [
    '# Protocol coverage',
    '',
    'Generated from the broker\'s handler registry (`packages/broker/src/handlers/registry.ts`); do not edit.',
    'Regenerate with `node packages/broker/dist/src/docs/write-protocol-coverage.js`.',
    '',
    `The broker serves ${handlers.length} of the ${allApis.length} APIs the protocol package encodes.`,
    '',
    '| key | API | broker versions | codec versions | flexible from |',
    '| ---: | --- | --- | --- | --- |'
  ]
  for (const api of allApis) {
    const h = served.get(api.apiKey)
    const brokerVersions = h === undefined ? 'not served' : `${h.minVersion}-${h.maxVersion}`
    const flexible = api.requestFlexibleFrom === null ? 'never' : `v${api.requestFlexibleFrom}`
    lines.push(`| ${api.apiKey} | ${api.name} | ${brokerVersions} | ${api.minVersion}-${api.maxVersion} | ${flexible} |`)
  }
  lines.push('')
  return lines.join('\n')
}
