/**
 * `npm run openapi`: writes docs/openapi.json, the committed copy of the HTTP API's OpenAPI
 * document, generated from the route definitions exactly as the Worker serves it at
 * /v1/openapi.json (src/http-api/openapi-document.ts), then formatted the way `npm run lint`
 * expects. test/http-api/openapi.test.ts fails while the two differ.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createHttpApi } from '../src/http-api/http-api.ts'
import { openApiDocument } from '../src/http-api/openapi-document.ts'

const target = fileURLToPath(new URL('../docs/openapi.json', import.meta.url))

// Generating the document runs no route, so the operations are never needed.
const app = createHttpApi(() => {
  throw new Error('scripts/openapi.ts generates the document only')
})
writeFileSync(target, `${JSON.stringify(openApiDocument(app), null, 2)}\n`)
execFileSync(fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url)), ['format', '--write', target], { stdio: 'inherit' })
console.log(`wrote ${target}`)
