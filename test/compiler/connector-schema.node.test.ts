/**
 * The published JSON Schemas of connector files (docs/schema/), which editors use through the
 * `yaml-language-server` modeline: they accept every connector the build accepts (the shipped
 * examples and the fixture, compat and exported corpora), refuse what the build refuses where
 * they can tell, name the same auth types, methods, formulas and fields as the compiler, and
 * every shipped example points at the schema of its kind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Validator } from '@cfworker/json-schema'
import type { Schema } from '@cfworker/json-schema'
import { afterAll, describe, expect, it } from 'vitest'
import { API_CLIENT_FIELDS } from '../../scripts/compiler/check-api-client.ts'
import { OAUTH_CONFIG_FIELDS, RESERVED_EXTRA_PARAMETERS } from '../../scripts/compiler/check-oauth-config.ts'
import { REQUEST_MAPPING_KEYS, REST_API_MAPPING_KEYS } from '../../scripts/compiler/compile-rest-api-mapping.ts'
import { formatDiagnostic, hasErrors } from '../../scripts/compiler/diagnostics.ts'
import draft07 from '../../scripts/compiler/draft-07-schema.json'
import { IMPLEMENTATION_TYPES, REST_API_MAPPING_METHODS } from '../../scripts/compiler/method-entry-type.ts'
import { canonicalMethodName, METHOD_KEYS } from '../../scripts/compiler/method-names.ts'
import { AUTH_BLOCK_KEYS, IGNORED_AUTH_KEYS } from '../../scripts/compiler/read-auth-block.ts'
import { FORMULA_NAMES } from '../../src/formula/names.ts'
import { EVAL_OPERATORS } from '../../src/formula/node.ts'
import { SIGNATURE_METHODS } from '../../src/oauth1/signature.ts'
import { AUTH_TYPES, METHODS_BY_AUTH_TYPE, REQUIRED_METHODS } from '../../src/registry/types.ts'
import type { MethodName } from '../../src/registry/types.ts'
import { connectorFileProblems, readSchema, SCHEMA_DIR, SCHEMA_NAMES, schemaFor } from './connector-schemas.ts'
import { compileTree, removeTrees, validConnector, writeTree } from './connector-tree.ts'

afterAll(removeTrees)

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The example connectors the repository ships: each file carries the modeline of its schema. */
const SHIPPED_DIRS = ['connectors', 'examples/demo/connectors']

/** Every corpus of connectors the build compiles (the schemas must accept all of them). */
const CORPUS_DIRS = [...SHIPPED_DIRS, 'test/fixtures/connectors', 'test/compat/connectors', 'test/compat/exported']

const MODELINE = /^# yaml-language-server: \$schema=(\S+)$/

/** The YAML files of the connector folders under `dir` (relative to the project root): spec.yml and everything under auth/. */
function connectorYamlFiles(dir: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yml'))
    .map((entry) => path.relative(PROJECT_ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort()
}

function readProjectFile(file: string): string {
  return readFileSync(path.join(PROJECT_ROOT, file), 'utf8')
}

describe('the published schemas', () => {
  const metaSchema = new Validator(structuredClone(draft07) as Schema, '7', false)

  it.each(SCHEMA_NAMES)('%s is a draft-07 JSON Schema', (name) => {
    expect(metaSchema.validate(readSchema(name)).valid).toBe(true)
  })

  it.each(CORPUS_DIRS.flatMap(connectorYamlFiles))('accept %s', (file) => {
    expect(connectorFileProblems(file, readProjectFile(file))).toEqual([])
  })

  it.each(SHIPPED_DIRS.flatMap(connectorYamlFiles))('%s starts with the modeline of its schema', (file) => {
    const [firstLine = ''] = readProjectFile(file).split('\n')
    const schemaPath = MODELINE.exec(firstLine)?.[1]
    expect(schemaPath, `first line of ${file}`).toBeDefined()
    const target = path.resolve(path.dirname(path.join(PROJECT_ROOT, file)), schemaPath ?? '')
    expect(target).toBe(path.join(SCHEMA_DIR, schemaFor(file)))
    expect(existsSync(target)).toBe(true)
  })
})

// A connector without JavaScript (nothing to bundle): mappings and a rest-api-mapping test.
const SPEC = `name: Demo
auth:
  type: oauth2
  getOAuthConfig:
    type: mapping
  makeApiClient:
    type: mapping
  test:
    type: rest-api-mapping
`
const OAUTH_CONFIG =
  'clientId: {$var: connectorParameters.clientId}\nauthorizeUri: https://example.test/authorize\ntokenUri: https://example.test/token\nclientAuthLocation: body\n'
const FILES: Record<string, string | null> = {
  'auth/get-oauth-config.map.yml': OAUTH_CONFIG,
  'auth/make-api-client.map.yml': "baseUri: https://api.example.test\nheaders:\n  Authorization: {$concat: ['Bearer ', {$var: credentials.access_token}]}\n",
  'auth/test.rest.yml': 'path: /me\nresponseMapping: {$var: response.data.id}\n',
  'auth/test.js': null,
}

const OPTIONS_SPEC = `name: Demo
auth:
  test: {type: rest-api-mapping}
  options:
    api-key:
      type: client-credentials
      inputSchema: {type: object, properties: {apiKey: {type: string, format: password}}}
      makeApiClient:
        type: mapping
        mapping: {baseUri: https://api.example.test, query: {key: {$var: credentials.apiKey}}}
    oauth:
      type: oauth2
      getOAuthConfig: {type: mapping}
      makeApiClient: {type: mapping}
`

interface Case {
  spec?: string
  files?: Record<string, string | null>
}

const ACCEPTED: Array<[string, Case]> = [
  ['the auth section', {}],
  ['auth settings at the top level (Membrane current docs)', { spec: SPEC.replace('auth:\n', '').replace(/^ {2}/gm, '') }],
  ['the older layout: no auth in spec.yml, the files under auth/ are the definition', { spec: 'name: Demo\nconnectionMode: iframe\n' }],
  ['options with a shared test', { spec: OPTIONS_SPEC }],
  [
    'exported sections and a top-level ui form',
    {
      spec: `key: demo\nappUri: https://demo.example.test\n${SPEC}api: {type: openapi}\nudm: {contacts: {fields: {$var: id}}}\nui:\n  schema: {type: object}\n  description: ''\n`,
    },
  ],
  [
    'type and implementationType written alike',
    { spec: SPEC.replace('    type: mapping\n  makeApiClient', '    type: mapping\n    implementationType: mapping\n  makeApiClient') },
  ],
  ['the older method name getCredentialsFromTokenResponse', { spec: `${SPEC}  getCredentialsFromTokenResponse:\n    type: mapping\n    mapping: {$var: tokenResponse}\n` }],
  ['a test the platform runs (left out with a warning)', { spec: SPEC.replace('type: rest-api-mapping', 'implementationType: operation-mapping\n    filePath: auth/test.op.yml') }],
  [
    'inline mappings with response handlers',
    {
      spec: SPEC.replace(
        '  makeApiClient:\n    type: mapping\n',
        '  makeApiClient:\n    type: mapping\n    mapping:\n      baseUri: https://api.example.test\n      responseHandlers:\n        - match: {$eval: {$var: response.data.error}, oneOf: [invalid_auth]}\n          error: {key: access_token_expired, message: expired}\n',
      ),
    },
  ],
  ['a loopback http endpoint', { files: { 'auth/get-oauth-config.map.yml': OAUTH_CONFIG.replace('https://example.test/token', 'http://127.0.0.1:9090/token') } }],
  [
    'makeApiClient fields nested under args',
    { files: { 'auth/make-api-client.map.yml': 'args:\n  baseUri: https://api.example.test\n  auth: {username: u, password: {$var: credentials.key}}\n' } },
  ],
  [
    'a rest-api-mapping with a lower-case method and path parameters',
    { files: { 'auth/test.rest.yml': 'path: /users/{id}\nmethod: post\nrequestMapping:\n  pathParameters: {id: me}\n  data: {a: 1}\n' } },
  ],
]

const REFUSED: Array<[string, Case]> = [
  ['an auth type typo', { spec: SPEC.replace('type: oauth2', 'type: oauth3') }],
  ['a platform-hosted auth type', { spec: SPEC.replace('type: oauth2', 'type: proxy') }],
  ['a method type typo', { spec: SPEC.replace('type: rest-api-mapping', 'type: javascrpt') }],
  ['a rest-api-mapping makeApiClient', { spec: SPEC.replace('  makeApiClient:\n    type: mapping', '  makeApiClient:\n    type: rest-api-mapping') }],
  ['a method the auth type does not have', { spec: `${SPEC.replace('type: oauth2', 'type: oauth1')}  refreshCredentials:\n    type: mapping\n    mapping: {a: 1}\n` }],
  ['a missing required method', { spec: SPEC.replace('  makeApiClient:\n    type: mapping\n', '') }],
  ['a missing auth type', { spec: SPEC.replace('  type: oauth2\n', '') }],
  ['an unknown auth key', { spec: `${SPEC}  scopes: [read]\n` }],
  ['an unknown key of a method entry', { spec: SPEC.replace('    type: rest-api-mapping', '    type: rest-api-mapping\n    file: auth/test.rest.yml') }],
  ['code with type mapping', { spec: SPEC.replace('  makeApiClient:\n    type: mapping', '  makeApiClient:\n    type: mapping\n    code: export default () => ({})') }],
  [
    'type and implementationType that differ',
    { spec: SPEC.replace('    type: mapping\n  makeApiClient', '    type: mapping\n    implementationType: javascript\n  makeApiClient') },
  ],
  ['a filePath whose suffix is another type', { spec: SPEC.replace('    type: rest-api-mapping', '    type: mapping\n    filePath: auth/test.rest.yml') }],
  ['an option key with a space', { spec: OPTIONS_SPEC.replace('api-key:', 'api key:') }],
  [
    'a form at the auth level beside options',
    { spec: OPTIONS_SPEC.replace('  test: {type: rest-api-mapping}\n', '  test: {type: rest-api-mapping}\n  inputSchema: {type: object}\n') },
  ],
  ['two spellings of the form', { spec: SPEC.replace('  type: oauth2\n', '  type: oauth2\n  inputSchema: {type: object}\n  ui: {schema: {type: object}}\n') }],
  ['a parametersSchema that is not JSON Schema', { spec: `${SPEC}parametersSchema: {type: object, properties: {clientId: {type: strin}}}\n` }],
  ['an empty name', { spec: SPEC.replace('name: Demo', "name: ''") }],
  ['an unknown formula', { files: { 'auth/make-api-client.map.yml': 'baseUri: {$concatt: [https://api.example.test, /v1]}\n' } }],
  ['an unknown argument of a formula', { files: { 'auth/make-api-client.map.yml': 'baseUri: {$concat: {values: [a, b], delimeter: /}}\n' } }],
  ['$eval without an operator', { files: { 'auth/test.rest.yml': 'path: /me\nresponseMapping: {$eval: {$var: response.data.id}}\n' } }],
  ['$var of a number', { files: { 'auth/get-oauth-config.map.yml': `${OAUTH_CONFIG}clientSecret: {$var: 5}\n` } }],
  ['a clientAuthLocation typo', { files: { 'auth/get-oauth-config.map.yml': OAUTH_CONFIG.replace('clientAuthLocation: body', 'clientAuthLocation: header') } }],
  ['an http endpoint off loopback', { files: { 'auth/get-oauth-config.map.yml': OAUTH_CONFIG.replace('https://example.test/token', 'http://example.test/token') } }],
  ['an authorize parameter Latchkey owns in extra', { files: { 'auth/get-oauth-config.map.yml': `${OAUTH_CONFIG}extra: {state: fixed}\n` } }],
  ['an empty mapping file', { files: { 'auth/make-api-client.map.yml': '# nothing yet\n' } }],
  ['a rest-api-mapping without path', { files: { 'auth/test.rest.yml': 'method: GET\n' } }],
  ['a rest-api-mapping key typo', { files: { 'auth/test.rest.yml': 'path: /me\nrespnseMapping: {$var: response.data.id}\n' } }],
  ['a rest-api-mapping method that is not a token', { files: { 'auth/test.rest.yml': 'path: /me\nmethod: GET /me\n' } }],
]

describe('the schemas and the build agree', () => {
  async function outcome({ spec = SPEC, files = {} }: Case): Promise<{ compiler: string[]; schema: string[] }> {
    const tree = validConnector('demo', spec, { ...FILES, ...files })
    const result = await compileTree(writeTree(tree))
    const compiler = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map(formatDiagnostic)
    expect(hasErrors(result.diagnostics)).toBe(compiler.length > 0)
    const schema = Object.entries(tree)
      .filter(([file]) => file.endsWith('.yml'))
      .flatMap(([file, text]) => connectorFileProblems(file, text))
    return { compiler, schema }
  }

  it.each(ACCEPTED)('both accept %s', async (_name, variant) => {
    expect(await outcome(variant)).toEqual({ compiler: [], schema: [] })
  })

  it.each(REFUSED)('both refuse %s', async (_name, variant) => {
    const { compiler, schema } = await outcome(variant)
    expect(compiler).not.toEqual([])
    expect(schema).not.toEqual([])
  })
})

/** The value at the JSON Pointer `pointer` (`/definitions/auth`) of `schema`. */
function at(schema: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined),
      schema,
    )
}

function keysAt(schema: unknown, pointer: string): string[] {
  return Object.keys((at(schema, pointer) ?? {}) as Record<string, unknown>)
}

function sorted(values: readonly unknown[]): unknown[] {
  return [...values].sort()
}

// The `if: {type: X}` rule of each auth type in `rules`, keyed by type.
function rulesByType(rules: unknown): Map<unknown, Record<string, unknown>> {
  return new Map((rules as Array<Record<string, unknown>>).map((rule) => [at(rule, '/if/properties/type/const'), rule]))
}

describe('the schemas name what the compiler names', () => {
  const spec = readSchema('connector-spec.schema.json')
  const mapping = readSchema('connector-mapping.schema.json')
  const rest = readSchema('connector-rest-api-mapping.schema.json')

  it('the auth types', () => {
    expect(at(spec, '/definitions/authBlock/properties/type/enum')).toEqual([...AUTH_TYPES])
  })

  it('the keys of an auth block, of auth and of an option', () => {
    expect(sorted(keysAt(spec, '/definitions/authBlock/properties'))).toEqual(sorted([...AUTH_BLOCK_KEYS, ...Object.keys(IGNORED_AUTH_KEYS)]))
    expect(sorted(at(spec, '/definitions/auth/propertyNames/enum') as string[])).toEqual(sorted([...AUTH_BLOCK_KEYS, 'options', ...Object.keys(IGNORED_AUTH_KEYS)]))
    expect(sorted(at(spec, '/definitions/option/propertyNames/enum') as string[])).toEqual(sorted([...AUTH_BLOCK_KEYS, ...Object.keys(IGNORED_AUTH_KEYS)]))
  })

  it('the implementation types, and which methods may be a rest-api-mapping', () => {
    expect(at(spec, '/definitions/connectionMethodEntry/properties/type/enum')).toEqual([...IMPLEMENTATION_TYPES])
    expect(at(spec, '/definitions/methodEntry/properties/type/enum')).toEqual(IMPLEMENTATION_TYPES.filter((type) => type !== 'rest-api-mapping'))
    const restCapable = METHOD_KEYS.filter((key) => (at(spec, `/definitions/authBlock/properties/${key}/allOf/0/$ref`) as string) !== '#/definitions/methodEntry')
    expect(sorted(restCapable)).toEqual(sorted(REST_API_MAPPING_METHODS))
  })

  it.each(AUTH_TYPES)('the methods %s auth may not have, and those it needs', (type) => {
    const refused = METHOD_KEYS.filter((key) => !METHODS_BY_AUTH_TYPE[type].includes(canonicalMethodName(key) as MethodName))
    expect(sorted(keysAt(rulesByType(at(spec, '/definitions/authTypeRules/allOf')).get(type), '/then/properties'))).toEqual(sorted(refused))
    const single = at(spec, '/definitions/auth/allOf/1/then/allOf') as unknown[]
    const required = single.filter((rule) => at(rule, '/if/properties/type/const') === type && at(rule, '/then/required') !== undefined)
    expect(required.map((rule) => at(rule, '/then/required'))).toEqual([[...REQUIRED_METHODS[type]]])
  })

  it('the formulas and the $eval operators', () => {
    expect((at(mapping, '/definitions/formula/anyOf') as Array<{ $ref: string }>).map((entry) => entry.$ref.replace('#/definitions/', ''))).toEqual([...FORMULA_NAMES])
    expect(at(mapping, '/definitions/$eval/propertyNames/enum')).toEqual(['$eval', ...EVAL_OPERATORS])
  })

  it('the fields of getOAuthConfig and makeApiClient, and the authorize parameters Latchkey owns', () => {
    const fields = keysAt(mapping, '/definitions/methodResultFields/properties')
    const apiClientFields = keysAt(mapping, '/definitions/apiClientFields/properties')
    expect(fields).toEqual(expect.arrayContaining([...OAUTH_CONFIG_FIELDS, 'args']))
    expect(sorted(apiClientFields)).toEqual(sorted(API_CLIENT_FIELDS))
    expect(at(mapping, '/definitions/methodResultFields/properties/extra/anyOf/2/propertyNames/not/enum')).toEqual([...RESERVED_EXTRA_PARAMETERS])
    expect(at(mapping, '/definitions/methodResultFields/properties/signatureMethod/anyOf/0/enum')).toEqual([...SIGNATURE_METHODS, null])
  })

  it('the keys of a rest-api-mapping and of its requestMapping', () => {
    expect(keysAt(rest, '/properties')).toEqual([...REST_API_MAPPING_KEYS])
    expect(keysAt(rest, '/properties/requestMapping/anyOf/2/properties')).toEqual([...REQUEST_MAPPING_KEYS])
  })
})
