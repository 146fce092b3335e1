import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PROTOCOL_COVERAGE_DOC, renderProtocolCoverage } from './protocol-coverage.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../../..')
writeFileSync(join(root, PROTOCOL_COVERAGE_DOC), renderProtocolCoverage())
console.log(`wrote ${PROTOCOL_COVERAGE_DOC}`)
