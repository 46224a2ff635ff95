/**
 * `npm run api-key -- create <name> --scopes <scope>,... [--tenants <prefix>]`: a new key of the
 * HTTP API (S24). Prints the key once (Latchkey never stores it, only the SHA-256 of its secret),
 * then its `API_KEYS` entry and how to set it. `<name>` is a label for people, stored as the
 * entry's `name`; the key id is random, because it appears in audit lines and URLs of no one's
 * choosing. Rotation: create a new key, deploy it, move callers over, remove the old entry.
 *
 * `npm run api-key -- check [<file>]`: reads an `API_KEYS` value (the file, or stdin) and says
 * whether the Worker will accept it. A malformed value turns the whole HTTP API off (it fails
 * closed), so check a hand-merged object before `wrangler secret put`.
 *
 * Formats, parsing and hashing are the API's own (src/http-api/api-keys.ts). A refused input
 * exits 1 with nothing printed on stdout; a usage mistake exits 2.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { hashApiKeySecret, parseApiKeys, type ApiKeyConfiguration } from '../src/http-api/api-keys.ts'
import { API_SCOPES, isApiScope, type ApiScope } from '../src/http-api/scopes.ts'

const USAGE = [
  'usage: npm run api-key -- create <name> --scopes <scope>,... [--tenants <tenant id prefix>]',
  '       npm run api-key -- check [<file with the API_KEYS JSON>]   (stdin without a file)',
  `scopes: ${API_SCOPES.join(', ')}`,
].join('\n')

/** Random bytes of a key's secret: 32, i.e. 43 base64url characters (api-keys.ts accepts 32 to 96). */
const SECRET_BYTES = 32
/** Characters of a generated key id: 12 of base32's 32 lowercase letters and digits (60 bits; unique, not secret). */
const KEY_ID_LENGTH = 12
const KEY_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'
const CONTROL_CHARACTER = /\p{Cc}/u

/** What a new key is for. */
export interface ApiKeyRequest {
  /** A label for people (the entry's `name`). */
  name: string
  scopes: readonly ApiScope[]
  /** Only tenants whose id starts with this; omitted: every tenant. */
  tenants?: string
}

/** One `API_KEYS` entry, as api-keys.ts parses it. */
export interface ApiKeyEntry {
  hash: string
  scopes: ApiScope[]
  tenants?: string
  name: string
}

/** A new key: shown to its owner once, and the entry the deployment keeps instead. */
export interface NewApiKey {
  id: string
  /** `lk_<id>_<secret>`: what the caller sends as `Authorization: Bearer <key>`. */
  key: string
  entry: ApiKeyEntry
}

/**
 * A new key for `request`, from node:crypto's random bytes. The entry passes the Worker's own
 * parser (parseApiKeys) or this throws, so what is printed is what the Worker accepts.
 */
export async function newApiKey(request: ApiKeyRequest): Promise<NewApiKey> {
  const id = [...randomBytes(KEY_ID_LENGTH)].map((byte) => KEY_ID_ALPHABET[byte % KEY_ID_ALPHABET.length]).join('')
  const secret = randomBytes(SECRET_BYTES).toString('base64url')
  const entry: ApiKeyEntry = {
    hash: await hashApiKeySecret(secret),
    scopes: [...request.scopes],
    ...(request.tenants === undefined ? {} : { tenants: request.tenants }),
    name: request.name,
  }
  const parsed = parseApiKeys(apiKeysJson({ [id]: entry }))
  if (parsed.state !== 'on') throw new Error(`the new entry is not accepted: ${parsed.state === 'invalid' ? parsed.problem : 'empty'}`)
  return { id, key: `lk_${id}_${secret}`, entry }
}

/** The `API_KEYS` value holding `entries`: one line of JSON. */
export function apiKeysJson(entries: Readonly<Record<string, ApiKeyEntry>>): string {
  return JSON.stringify(entries)
}

/** The command line, checked: a request, a check, or what is wrong with it. */
type Command = { kind: 'create'; request: ApiKeyRequest } | { kind: 'check'; file: string | null } | { kind: 'refused'; status: 1 | 2; message: string }

/** Reads `args` (what follows `npm run api-key --`). */
export function parseCommandLine(args: readonly string[]): Command {
  let parsed: ReturnType<typeof parseOptions>
  try {
    parsed = parseOptions(args)
  } catch (error) {
    return { kind: 'refused', status: 2, message: `${(error as Error).message}\n${USAGE}` }
  }
  const [command, ...operands] = parsed.positionals
  if (command === 'check' && operands.length <= 1 && parsed.values.scopes === undefined && parsed.values.tenants === undefined) {
    return { kind: 'check', file: operands[0] ?? null }
  }
  if (command !== 'create' || operands.length !== 1 || operands[0] === undefined) return { kind: 'refused', status: 2, message: USAGE }
  const name = operands[0]
  if (name === '' || name.length > 100 || CONTROL_CHARACTER.test(name)) return refused('the name is a label of 1 to 100 characters on one line')
  if (parsed.values.scopes === undefined) return { kind: 'refused', status: 2, message: `--scopes is required\n${USAGE}` }
  const scopes = parsed.values.scopes.split(',').map((scope) => scope.trim())
  const unknown = scopes.filter((scope) => !isApiScope(scope))
  if (unknown.length > 0)
    return refused(`unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.map((scope) => JSON.stringify(scope)).join(', ')}; the scopes are ${API_SCOPES.join(', ')}`)
  if (new Set(scopes).size !== scopes.length) return refused('--scopes lists a scope twice')
  const tenants = parsed.values.tenants
  if (tenants !== undefined && (tenants === '' || tenants.length > 256)) return refused('--tenants is a tenant id prefix of 1 to 256 characters (leave it out for every tenant)')
  return { kind: 'create', request: { name, scopes: scopes as ApiScope[], ...(tenants === undefined ? {} : { tenants }) } }
}

function parseOptions(args: readonly string[]) {
  return parseArgs({ args: [...args], allowPositionals: true, strict: true, options: { scopes: { type: 'string' }, tenants: { type: 'string' } } })
}

function refused(message: string): Command {
  return { kind: 'refused', status: 1, message }
}

/** What `create` prints: the key once, then the entry and where it goes. */
export function createdKeyText(created: NewApiKey): string {
  const { id, key, entry } = created
  const object = apiKeysJson({ [id]: entry })
  // A name may hold a single quote, which would end .dev.vars' single-quoted value; \u0027 is the same JSON.
  const devVarsValue = object.replaceAll("'", '\\u0027')
  const tenants = entry.tenants === undefined ? 'every tenant' : `tenants starting with ${JSON.stringify(entry.tenants)}`
  return [
    `API key ${JSON.stringify(entry.name)}: shown this once (Latchkey keeps only a hash of it); put it where your backend keeps secrets:`,
    '',
    key,
    '',
    `Key id ${id}; scopes ${entry.scopes.join(', ')}; ${tenants}. Its API_KEYS entry:`,
    '',
    `${JSON.stringify(id)}: ${JSON.stringify(entry)}`,
    '',
    'API_KEYS is one JSON object holding every key. Add the entry to the keys you keep (check the result',
    'with `npm run api-key -- check <file>`), then set the whole object:',
    '  deployed: npx wrangler secret put API_KEYS      (paste the object when it asks)',
    `  locally:  a line in .dev.vars: API_KEYS='<the object>'`,
    'With no other key, the object is:',
    '',
    devVarsValue,
    '',
    'Rotation: create a new key, deploy it, move callers over, then remove the old entry.',
  ].join('\n')
}

/** What `check` prints about a parsed configuration, and its exit status. */
export function checkedConfigurationText(configuration: ApiKeyConfiguration): { status: 0 | 1; text: string } {
  if (configuration.state === 'off') return { status: 1, text: 'API_KEYS is empty: the HTTP API stays off.' }
  if (configuration.state === 'invalid') return { status: 1, text: `API_KEYS ${configuration.problem}: the Worker would refuse every HTTP API call.` }
  const lines = [...configuration.keys.values()].map(({ key }) => {
    const tenants = key.tenantPrefix === null ? 'every tenant' : `tenants starting with ${JSON.stringify(key.tenantPrefix)}`
    return `  ${key.id}${key.name === null ? '' : ` (${JSON.stringify(key.name)})`}: ${[...key.scopes].join(', ')}; ${tenants}`
  })
  return { status: 0, text: [`API_KEYS is valid: ${lines.length} key${lines.length === 1 ? '' : 's'}.`, ...lines].join('\n') }
}

async function main(): Promise<number> {
  const command = parseCommandLine(process.argv.slice(2))
  if (command.kind === 'refused') {
    console.error(`api-key: ${command.message}`)
    return command.status
  }
  if (command.kind === 'check') {
    let text: string
    try {
      text = readFileSync(command.file ?? 0, 'utf8')
    } catch (error) {
      console.error(`api-key: cannot read ${command.file ?? 'stdin'} (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
      return 1
    }
    const checked = checkedConfigurationText(parseApiKeys(text))
    ;(checked.status === 0 ? console.log : console.error)(checked.text)
    return checked.status
  }
  console.log(createdKeyText(await newApiKey(command.request)))
  return 0
}

// Run as a command, not when a test imports newApiKey.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main()
