/**
 * `npm run new-connector -- <key> [--type oauth2|client-credentials|oauth1] [--name "Display Name"] [--dir <folder>]`:
 * writes a connector skeleton that `npm run build` accepts as it is: `<dir>/<key>/spec.yml` and
 * its method files under `auth/`, each with the `yaml-language-server` modeline of its JSON
 * Schema (docs/schema/) and TODO comments where the author fills in the provider's details.
 *
 * Defaults: type oauth2, the name made from the key (`acme-crm` -> `Acme Crm`), dir
 * `connectors`. Refuses (exit 1, nothing written) a key that is not kebab-case, is reserved, or
 * names a folder that exists; a usage mistake exits 2.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { stringify } from 'yaml'
import { connectorParameterVariable } from '../src/registry/connector-parameters.ts'
import { AUTH_TYPES } from '../src/registry/types.ts'
import type { AuthType } from '../src/registry/types.ts'
import { DEMO_CONNECTOR_DIR } from './dev/development-defaults.ts'
import { KEBAB_CASE, RESERVED_KEYS, kebabCaseSuggestion } from './compiler/compile-connector.ts'

const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url))
const SCHEMA_DIR = path.join(ROOT_DIR, 'docs/schema')
const DEFAULT_DIR = path.join(ROOT_DIR, 'connectors')

// Written literally: the deployment's own origin goes where PUBLIC_BASE_URL stands.
const DEPLOYED_CALLBACK = `\${PUBLIC_BASE_URL}/oauth/callback`

const USAGE = 'usage: npm run new-connector -- <key> [--type oauth2|client-credentials|oauth1] [--name "Display Name"] [--dir <folder>]'

// A display name is one line of text on the connect page.
const NAME_MAX_LENGTH = 80
const CONTROL_CHARACTER = /\p{Cc}/u

/** What the command line asks for, checked. */
interface NewConnectorRequest {
  key: string
  type: AuthType
  name: string
  /** Absolute path of the folder the connector folder is created in. */
  dir: string
}

/** A file of the skeleton: its path inside the connector folder and its text. */
interface SkeletonFile {
  path: string
  text: string
}

/** Which schema (docs/schema/) describes each kind of file. */
const SCHEMAS = {
  spec: 'connector-spec.schema.json',
  mapping: 'connector-mapping.schema.json',
  rest: 'connector-rest-api-mapping.schema.json',
} as const

/**
 * The skeleton of connector `key` of auth `type`; `schemaPath(schema, file)` is the modeline
 * path of a schema, relative to the folder of `file` (a path inside the connector folder).
 */
function skeletonFiles(request: Pick<NewConnectorRequest, 'key' | 'type' | 'name'>, schemaPath: (schema: string, file: string) => string): SkeletonFile[] {
  const files = SKELETONS[request.type](request)
  return files.map(({ path: file, schema, lines }) => ({ path: file, text: [`# yaml-language-server: $schema=${schemaPath(SCHEMAS[schema], file)}`, ...lines, ''].join('\n') }))
}

interface SkeletonPart {
  path: string
  schema: keyof typeof SCHEMAS
  lines: string[]
}

type Skeleton = (request: Pick<NewConnectorRequest, 'key' | 'type' | 'name'>) => SkeletonPart[]

const TEST_REST: SkeletonPart = {
  path: 'auth/test.rest.yml',
  schema: 'rest',
  lines: [
    '# test: one request through the API client that succeeds only with working credentials;',
    '# a truthy result means connected.',
    '# TODO: an endpoint that names the signed-in user or account (e.g. /me, /user, /account).',
    'path: /me',
    'method: GET',
    'responseMapping:',
    '  $eval: { $var: response.data.id }',
    '  isNotEmpty: true',
  ],
}

function bearerApiClient(token: string): SkeletonPart {
  return {
    path: 'auth/make-api-client.map.yml',
    schema: 'mapping',
    lines: [
      '# makeApiClient: where API requests go (test, disconnect and the proxy), with the credentials.',
      "# TODO: the API's base URL (requests to other hosts are refused by the proxy).",
      'baseUri: https://api.example.com',
      'headers:',
      `  Authorization: { $concat: ["Bearer ", { $var: ${token} }] }`,
    ],
  }
}

const SKELETONS: Record<AuthType, Skeleton> = {
  oauth2: ({ key, name }) => [
    {
      path: 'spec.yml',
      schema: 'spec',
      lines: [
        `# ${key}: OAuth 2.0, the authorization code flow with PKCE.`,
        "# TODO: link the provider's OAuth documentation here.",
        `name: ${yamlScalar(name)}`,
        'parametersSchema:',
        '  type: object',
        '  # TODO: say where the app is registered at the provider.',
        '  description: >-',
        `    Register an OAuth app at the provider with the callback URL ${DEPLOYED_CALLBACK},`,
        `    then set the Worker secrets ${connectorParameterVariable(key, 'clientId')} and ${connectorParameterVariable(key, 'clientSecret')}, and optionally`,
        `    ${connectorParameterVariable(key, 'scopes')} (a JSON array, e.g. '["read"]').`,
        '  properties:',
        '    clientId:',
        '      type: string',
        `      description: Client ID of the OAuth app (${connectorParameterVariable(key, 'clientId')}).`,
        '    clientSecret:',
        '      type: string',
        `      description: Client secret of the OAuth app (${connectorParameterVariable(key, 'clientSecret')}).`,
        '    scopes:',
        '      type: array',
        '      items: { type: string }',
        `      description: Scopes to request (${connectorParameterVariable(key, 'scopes')}).`,
        '      # TODO: the scopes the connector needs when the variable is not set, e.g. [read].',
        '      default: []',
        '  required: [clientId, clientSecret]',
        'auth:',
        '  type: oauth2',
        "  # auth/get-oauth-config.map.yml: the provider's authorize and token URLs.",
        '  getOAuthConfig:',
        '    type: mapping',
        "  # auth/make-api-client.map.yml: the API's base URL and the Authorization header.",
        '  makeApiClient:',
        '    type: mapping',
        '  # auth/test.rest.yml: one request that succeeds only with working credentials.',
        '  test:',
        '    type: rest-api-mapping',
      ],
    },
    {
      path: 'auth/get-oauth-config.map.yml',
      schema: 'mapping',
      lines: [
        '# getOAuthConfig: where the user signs in and where tokens come from.',
        `# The client ID and secret come from the Worker secrets ${connectorParameterVariable(key, 'clientId')} and ${connectorParameterVariable(key, 'clientSecret')}.`,
        'clientId: { $var: connectorParameters.clientId }',
        'clientSecret: { $var: connectorParameters.clientSecret }',
        "# TODO: the provider's authorization endpoint.",
        'authorizeUri: https://example.com/oauth/authorize',
        "# TODO: the provider's token endpoint.",
        'tokenUri: https://example.com/oauth/token',
        'scopes: { $var: connectorParameters.scopes }',
        '# TODO: how the provider takes the client ID and secret: body (form fields) or headers (HTTP Basic).',
        'clientAuthLocation: body',
      ],
    },
    bearerApiClient('credentials.access_token'),
    TEST_REST,
  ],
  'client-credentials': ({ key, name }) => [
    {
      path: 'spec.yml',
      schema: 'spec',
      lines: [
        `# ${key}: the user types an API key on the connect page; it is tested, then stored sealed.`,
        "# TODO: link the provider's authentication documentation here.",
        `name: ${yamlScalar(name)}`,
        'auth:',
        '  type: client-credentials',
        '  title: API key',
        '  inputSchema:',
        '    type: object',
        '    properties:',
        '      apiKey:',
        '        type: string',
        '        # Masked on the form and sealed with the credentials, never shown again.',
        '        format: password',
        '        title: API key',
        '        # TODO: tell the user where the provider shows the key.',
        '        description: The API key of your account.',
        '    required: [apiKey]',
        '  # No getCredentialsFromConnectionParameters: the input ({apiKey}) is stored as the credentials.',
        "  # auth/make-api-client.map.yml: the API's base URL and the Authorization header.",
        '  makeApiClient:',
        '    type: mapping',
        '  # auth/test.rest.yml: one request that succeeds only with a working key.',
        '  test:',
        '    type: rest-api-mapping',
      ],
    },
    bearerApiClient('credentials.apiKey'),
    TEST_REST,
  ],
  oauth1: ({ key, name }) => [
    {
      path: 'spec.yml',
      schema: 'spec',
      lines: [
        `# ${key}: OAuth 1.0a (RFC 5849); Latchkey signs the token requests and every API request.`,
        "# TODO: link the provider's OAuth documentation here.",
        `name: ${yamlScalar(name)}`,
        'parametersSchema:',
        '  type: object',
        '  # TODO: say where the consumer key is created at the provider.',
        '  description: >-',
        `    Create a consumer key at the provider with the callback URL ${DEPLOYED_CALLBACK},`,
        `    then set the Worker secrets ${connectorParameterVariable(key, 'consumerKey')} and ${connectorParameterVariable(key, 'consumerSecret')}.`,
        '  properties:',
        '    consumerKey:',
        '      type: string',
        `      description: The OAuth consumer key (${connectorParameterVariable(key, 'consumerKey')}).`,
        '    consumerSecret:',
        '      type: string',
        `      description: The OAuth consumer secret (${connectorParameterVariable(key, 'consumerSecret')}).`,
        '  required: [consumerKey, consumerSecret]',
        'auth:',
        '  type: oauth1',
        "  # auth/get-oauth-config.map.yml: the provider's three OAuth 1.0a endpoints.",
        '  getOAuthConfig:',
        '    type: mapping',
        "  # auth/make-api-client.map.yml: the API's base URL (requests are signed by Latchkey).",
        '  makeApiClient:',
        '    type: mapping',
        '  # auth/test.rest.yml: one request that succeeds only with working credentials.',
        '  test:',
        '    type: rest-api-mapping',
      ],
    },
    {
      path: 'auth/get-oauth-config.map.yml',
      schema: 'mapping',
      lines: [
        '# getOAuthConfig: the consumer credentials and the three OAuth 1.0a endpoints.',
        'consumerKey: { $var: connectorParameters.consumerKey }',
        'consumerSecret: { $var: connectorParameters.consumerSecret }',
        "# TODO: the provider's request-token, authorize and access-token endpoints.",
        'requestTokenUri: https://example.com/oauth/request_token',
        'authorizeUri: https://example.com/oauth/authorize',
        'tokenUri: https://example.com/oauth/access_token',
        '# HMAC-SHA1 unless the provider wants HMAC-SHA256 or PLAINTEXT.',
        'signatureMethod: HMAC-SHA1',
      ],
    },
    {
      path: 'auth/make-api-client.map.yml',
      schema: 'mapping',
      lines: ['# makeApiClient: where API requests go; Latchkey signs each one with the OAuth 1.0a tokens.', "# TODO: the API's base URL.", 'baseUri: https://api.example.com'],
    },
    TEST_REST,
  ],
  'oauth2-discovered': ({ key, name }) => [
    {
      path: 'spec.yml',
      schema: 'spec',
      lines: [
        `# ${key}: a resource that describes its own authorization (a remote MCP server): the user`,
        '# gives its URL; Latchkey discovers the authorization server and registers itself.',
        `name: ${yamlScalar(name)}`,
        'auth:',
        '  type: oauth2-discovered',
        '  inputSchema:',
        '    type: object',
        '    properties:',
        '      resourceUrl:',
        '        type: string',
        '        title: Server URL',
        '        format: uri',
        '    required: [resourceUrl]',
        '  # auth/make-api-client.map.yml: requests go to the resource, with its bound token.',
        '  makeApiClient:',
        '    type: mapping',
      ],
    },
    {
      path: 'auth/make-api-client.map.yml',
      schema: 'mapping',
      lines: [
        '# makeApiClient: the start route stores the URL given, in canonical form, as resourceUrl.',
        'baseUri: { $var: connectionInput.resourceUrl }',
        'headers:',
        '  Authorization: { $concat: ["Bearer ", { $var: credentials.access_token }] }',
      ],
    },
  ],
}

/** Why `key` cannot be a new connector in `dir` (and, for the default folder, beside the demo connector), or undefined. */
function keyProblem(key: string, dir: string, otherDirs: readonly string[] = []): string | undefined {
  if (!KEBAB_CASE.test(key)) {
    return `${JSON.stringify(key)} is not a connector key: use kebab-case (lowercase letters, digits and single dashes), e.g. ${kebabCaseSuggestion(key)}`
  }
  if (RESERVED_KEYS.includes(key)) return `${JSON.stringify(key)} is reserved (/connect/${key} is one of Latchkey's own routes): choose another key`
  const taken = [dir, ...otherDirs].map((folder) => path.join(folder, key)).find((folder) => existsSync(folder))
  if (taken) return `${displayPath(taken)} already exists: choose another key`
  return undefined
}

/** Why `name` cannot be a display name, or undefined. */
function nameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'the name must not be empty'
  if (CONTROL_CHARACTER.test(name)) return 'the name must be one line of text (no control characters)'
  if (name.length > NAME_MAX_LENGTH) return `the name must be at most ${NAME_MAX_LENGTH} characters`
  return undefined
}

/** `acme-crm` -> `Acme Crm`. */
function nameFromKey(key: string): string {
  return key
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ')
}

// A YAML scalar for `value` (quoted when YAML needs it), on one line.
function yamlScalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd()
}

function displayPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute)
  return (relative.startsWith('..') ? absolute : relative).split(path.sep).join('/') || '.'
}

type Parsed = { ok: true; request: NewConnectorRequest } | { ok: false; status: 1 | 2; message: string }

function parseCommandLine(args: string[]): Parsed {
  let parsed: ReturnType<typeof parseArgs<{ options: { type: { type: 'string' }; name: { type: 'string' }; dir: { type: 'string' } }; allowPositionals: true }>>
  try {
    parsed = parseArgs({ args, options: { type: { type: 'string' }, name: { type: 'string' }, dir: { type: 'string' } }, allowPositionals: true })
  } catch (error) {
    return { ok: false, status: 2, message: `${(error as Error).message}\n${USAGE}` }
  }
  const [key, ...extra] = parsed.positionals
  if (key === undefined || extra.length > 0) return { ok: false, status: 2, message: `give one connector key, e.g. acme-crm\n${USAGE}` }
  const type = parsed.values.type ?? 'oauth2'
  if (!isAuthType(type)) return { ok: false, status: 1, message: `--type ${JSON.stringify(type)} is not an auth type: use ${AUTH_TYPES.join(', ')}` }
  const dir = parsed.values.dir === undefined ? DEFAULT_DIR : path.resolve(parsed.values.dir)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { ok: false, status: 1, message: `${displayPath(dir)} is not a folder: create it or pass another --dir` }
  // `npm start` compiles the demo connector beside connectors/: a key may be used once.
  const otherDirs = parsed.values.dir === undefined ? [path.join(ROOT_DIR, DEMO_CONNECTOR_DIR)] : []
  const problem = keyProblem(key, dir, otherDirs)
  if (problem) return { ok: false, status: 1, message: problem }
  const name = parsed.values.name ?? nameFromKey(key)
  const badName = nameProblem(name)
  if (badName) return { ok: false, status: 1, message: `--name: ${badName}` }
  return { ok: true, request: { key, type, name: name.trim(), dir } }
}

function isAuthType(value: string): value is AuthType {
  return (AUTH_TYPES as readonly string[]).includes(value)
}

// What to do after writing, by auth type: where credentials come from differs.
function nextSteps(request: NewConnectorRequest, folder: string): string[] {
  const fill = `  1. Fill in the TODOs in ${folder}: the provider's URLs, the API's base URL, the test request.`
  const build = `  3. npm run build checks it; npm start then offers Connect ${request.name}.`
  if (request.type === 'client-credentials') return [fill, '  2. Nothing to register: the user types the key on the connect page (adjust inputSchema).', build]
  const [id, secret] = request.type === 'oauth1' ? ['consumerKey', 'consumerSecret'] : ['clientId', 'clientSecret']
  return [
    fill,
    `  2. Register http://localhost:8787/oauth/callback at the provider (${DEPLOYED_CALLBACK} when deployed)`,
    `     and put ${connectorParameterVariable(request.key, id)} and ${connectorParameterVariable(request.key, secret)} in .dev.vars (Worker secrets when deployed).`,
    build,
  ]
}

function main(): number {
  const parsed = parseCommandLine(process.argv.slice(2))
  if (!parsed.ok) {
    console.error(`new-connector: ${parsed.message}`)
    return parsed.status
  }
  const { request } = parsed
  const folder = path.join(request.dir, request.key)
  const files = skeletonFiles(request, (schema, file) =>
    path
      .relative(path.dirname(path.join(folder, file)), path.join(SCHEMA_DIR, schema))
      .split(path.sep)
      .join('/'),
  )
  // mkdir without `recursive` fails if the folder appeared since the check: nothing is overwritten.
  mkdirSync(folder)
  mkdirSync(path.join(folder, 'auth'))
  for (const file of files) writeFileSync(path.join(folder, file.path), file.text, { flag: 'wx' })
  const shown = displayPath(folder)
  console.log(`Wrote ${shown}/ (${request.type}): ${files.map((file) => file.path).join(', ')}`)
  console.log('Next:')
  for (const line of nextSteps(request, shown)) console.log(line)
  return 0
}

process.exitCode = main()
