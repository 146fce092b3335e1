import { CONFIG_DEFINITIONS } from './definitions.js'
import { envVarName, flagName } from './sources.js'
import { SYNONYM_GROUPS } from './synonyms.js'
import type { ConfigDef } from './types.js'

/**
 * Renders docs/configuration.md from the definitions table, so that the
 * reference cannot drift from the code: write-docs.ts writes the file and a
 * test compares it with this output.
 */

/** Path of the generated file, relative to the repository root. */
export const CONFIGURATION_DOC_PATH = 'docs/configuration.md'

export function renderConfigurationDocs (definitions: readonly ConfigDef[] = CONFIG_DEFINITIONS): string {
  const example = 'log.dirs'
  const lines: string[] = [
    '# Broker configuration',
    '',
    '<!-- Generated from packages/broker/src/config/definitions.ts by docs.ts; do not edit by hand.',
    '     Regenerate: npx tsc -b packages/broker && node packages/broker/dist/src/config/write-docs.js -->',
    '',
    'Tributary uses the names, types and defaults of Kafka\'s broker configuration, so a Kafka',
    '`server.properties` keeps its meaning. Each setting is taken from the last of these inputs that sets it:',
    '',
    '1. the defaults listed below;',
    '2. a Java properties file given with `tributary start --config FILE`; keys that are not listed here',
    '   are reported as warnings and otherwise ignored;',
    `3. environment variables named \`TRIBUTARY_\` plus the key in upper case with dots as underscores (\`${envVarName(example)}\` for \`${example}\`); empty variables count as unset;`,
    `4. command-line flags named after the key with dots as dashes (\`--${flagName(example)} /var/lib/tributary\`); an unknown flag is an error;`,
    '5. the options passed to `startBroker()` by code that embeds the broker.',
    '',
    'A value that does not fit its key stops startup with a message that names the key, the value and what',
    'is allowed. DescribeConfigs reports all of inputs 2 to 5 as `STATIC_BROKER_CONFIG`.',
    '',
    '## Synonyms',
    '',
    'Some settings have several names. The first name in the list that is set wins, whichever input set',
    'it; when none is set, the first name with a default supplies the value.',
    '',
    '| Setting | Names, in order of precedence |',
    '| --- | --- |',
    ...SYNONYM_GROUPS.map(g => `| \`${g.primary}\` | ${g.members.map(m => `\`${m.name}\``).join(', ')}${g.mirrored === true ? ' (must be equal when both are set)' : ''} |`),
    '',
    '## Listeners',
    '',
    '- `listeners` is a comma list of `NAME://host:port`. An empty host binds every interface; an IPv6',
    '  address goes in brackets (`PLAINTEXT://[::1]:9092`); port 0 takes a free port chosen at startup.',
    '- Each listener name needs an entry in `listener.security.protocol.map`. Only `PLAINTEXT` listeners',
    '  can be served so far; any other protocol stops startup.',
    '- Clients are told the `advertised.listeners`, which default to `listeners`. A listener bound to every',
    '  interface is advertised under this machine\'s host name, as Kafka does; set `advertised.listeners`',
    '  when clients cannot resolve it. A listener on port 0 is advertised with the port it actually got.',
    ''
  ]
  const groups = [...new Set(definitions.map(d => d.group))]
  for (const group of groups) {
    lines.push(`## ${group}`, '')
    lines.push('| Key | Type | Default | Allowed values | Update mode | Description |')
    lines.push('| --- | --- | --- | --- | --- | --- |')
    for (const d of definitions.filter(d => d.group === group)) {
      lines.push(`| \`${d.name}\` | ${d.type} | ${renderDefault(d)} | ${cell(allowedValues(d))} | ${d.updateMode} | ${cell(d.doc)} |`)
    }
    lines.push('')
  }
  return lines.join('\n')
}

function renderDefault (d: ConfigDef): string {
  if (d.default === null) return '_unset_'
  if (d.default === '') return '_empty_'
  return '`' + d.default + '`'
}

/** The validator in words; empty when any value of the type is accepted. */
export function allowedValues (d: ConfigDef): string {
  const v = d.validator
  if (v === undefined) return d.type === 'boolean' ? '`true`, `false`' : ''
  switch (v.kind) {
    case 'range':
      if (v.min !== undefined && v.max !== undefined) return `${v.min} to ${v.max}`
      return v.min !== undefined ? `>= ${v.min}` : `<= ${v.max!}`
    case 'oneOf':
      return v.values.map(x => '`' + x + '`').join(', ')
    case 'listOf':
      return 'list of ' + v.values.map(x => '`' + x + '`').join(', ')
    case 'custom':
      return v.describe
  }
}

function cell (text: string): string {
  return text.replace(/\|/g, '\\|')
}
