import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BANNER, emitApiModule, emitHeaderModule, emitSchemaModule } from './emit-module.js'
import { type MessageModel, buildModel, kebab } from './model.js'
import { loadMessages } from './spec.js'

/**
 * Reads Kafka's message definitions and writes packages/protocol/src/generated/.
 * Usage: node tools/codegen/dist/src/main.js [--messages DIR] [--out DIR]
 */
export function generate (messagesDir: string): Map<string, string> {
  const specs = loadMessages(messagesDir)
  const files = new Map<string, string>()
  const requests = new Map<number, MessageModel>()
  const responses = new Map<number, MessageModel>()
  const all: MessageModel[] = []
  for (const spec of specs) {
    const model = buildModel(spec)
    // Messages whose only version is still unstable (e.g. KIP-932 share groups
    // in this snapshot) are not generated at all.
    if (model.valid.lo > model.valid.hi) continue
    all.push(model)
    if (spec.type === 'header') {
      files.set(`${kebab(spec.name)}.ts`, emitHeaderModule(model))
    } else if (spec.type === 'request') {
      requests.set(spec.apiKey!, model)
    } else {
      responses.set(spec.apiKey!, model)
    }
  }
  const index: string[] = [BANNER, 'import type { ApiDescriptor } from \'../api-descriptor.js\'']
  const names: string[] = []
  for (const key of [...requests.keys()].sort((a, b) => a - b)) {
    const req = requests.get(key)!
    const res = responses.get(key)
    if (res === undefined) continue
    const api = req.spec.name.replace(/Request$/, '')
    const file = kebab(api)
    files.set(`${file}.ts`, emitApiModule(req, res))
    index.push(`import { ${api}Api } from './${file}.js'`)
    names.push(`${api}Api`)
  }
  index.push('')
  for (const f of [...files.keys()].sort()) index.push(`export * from './${f.replace(/\.ts$/, '.js')}'`)
  index.push('')
  index.push('/** Every API Kafka defines, by key; the broker advertises the subset it handles. */')
  index.push(`export const allApis: readonly ApiDescriptor[] = [${names.join(', ')}]`)
  index.push('')
  files.set('index.ts', index.join('\n'))
  files.set('schemas.ts', emitSchemaModule(all))
  return files
}

function main (): void {
  const here = dirname(fileURLToPath(import.meta.url))
  const root = resolve(here, '../../../..')
  const args = process.argv.slice(2)
  const arg = (name: string, def: string): string => {
    const i = args.indexOf(name)
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def
  }
  const messagesDir = resolve(arg('--messages', process.env.KAFKA_MESSAGES_DIR ?? join(root, '../shared/kafka-protocol/messages')))
  const outDir = resolve(arg('--out', join(root, 'packages/protocol/src/generated')))
  const files = generate(messagesDir)
  mkdirSync(outDir, { recursive: true })
  for (const f of readdirSync(outDir)) if (!files.has(f)) rmSync(join(outDir, f))
  for (const [name, text] of files) writeFileSync(join(outDir, name), text)
  console.log(`codegen: wrote ${files.size} files to ${outDir}`)
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
