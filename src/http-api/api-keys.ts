/**
 * API keys of the HTTP API (S24). A key is `lk_<key id>_<secret>`: the id is 8 to 32 lowercase
 * letters and digits (never secret: it names the key in audit lines and rate limits), the
 * secret at least 32 random bytes in base64url (43+ characters). The deployment configures only
 * the SHA-256 of each secret, in the `API_KEYS` secret:
 *
 *   {"<key id>": {"hash": "<64 lowercase hex: SHA-256 of the secret's UTF-8>",
 *                 "scopes": ["connections:read", ...], "tenants": "<optional tenant prefix>",
 *                 "name": "<optional label for people>"}}
 *
 * A presented secret is hashed and compared in constant time; an unknown id is compared
 * against a dummy hash, so timing tells nothing about which ids exist. A malformed `API_KEYS`
 * fails closed: the HTTP API refuses every call, and one log line names the problem (never a
 * hash, never a value that might be a pasted key). Rotation: add a key, deploy, remove the old one.
 */
import { readSettings, type Settings } from '../settings.ts'
import { API_SCOPES, isApiScope, type ApiScope } from './scopes.ts'

/** A configured key, as the routes see it: no hash. */
export interface ApiKey {
  readonly id: string
  /** The optional label of the configuration (for people; never logged). */
  readonly name: string | null
  readonly scopes: ReadonlySet<ApiScope>
  /** Only tenants whose id starts with this may be named; null: every tenant. */
  readonly tenantPrefix: string | null
}

/** What `API_KEYS` says: the HTTP API is off, misconfigured (refuses everything), or on with these keys. */
export type ApiKeyConfiguration =
  | { readonly state: 'off' }
  | { readonly state: 'invalid'; readonly problem: string }
  | { readonly state: 'on'; readonly keys: ReadonlyMap<string, ConfiguredApiKey> }

/** A key and the SHA-256 of its secret. */
export interface ConfiguredApiKey {
  readonly key: ApiKey
  readonly hash: Uint8Array
}

/** The outcome of checking a request's Authorization header. */
export type ApiKeyCheck = { readonly ok: true; readonly key: ApiKey } | { readonly ok: false; readonly reason: 'missing' | 'invalid' }

/** The shape of a presented key; the secret part is 32 to 96 bytes of base64url. */
const PRESENTED_KEY = /^lk_([a-z0-9]{8,32})_([A-Za-z0-9_-]{43,128})$/
const KEY_ID = /^[a-z0-9]{8,32}$/
const HASH = /^[0-9a-f]{64}$/
const ENTRY_FIELDS = new Set(['hash', 'scopes', 'tenants', 'name'])
const MAX_TENANT_PREFIX_LENGTH = 256
const MAX_NAME_LENGTH = 100
/** Compared against when the presented id is unknown or malformed, so that path costs the same. */
const DUMMY_HASH = new Uint8Array(32)

const cache = new WeakMap<Settings, ApiKeyConfiguration>()

/**
 * The key configuration of `env`, parsed once per settings object. A misconfiguration is
 * logged once, when first read, as `latchkey: API_KEYS <problem>`.
 */
export function readApiKeyConfiguration(env: Env): ApiKeyConfiguration {
  const settings = readSettings(env)
  let configuration = cache.get(settings)
  if (configuration === undefined) {
    configuration = parseApiKeys(settings.httpApi.apiKeys)
    if (configuration.state === 'invalid') console.error(`latchkey: API_KEYS ${configuration.problem}; the HTTP API refuses every call until it is fixed.`)
    cache.set(settings, configuration)
  }
  return configuration
}

/** Parses the `API_KEYS` text strictly: any deviation from the documented shape makes the whole configuration invalid. */
export function parseApiKeys(text: string | undefined): ApiKeyConfiguration {
  if (text === undefined || text.trim() === '') return { state: 'off' }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return invalid('is not valid JSON')
  }
  if (!isPlainObject(parsed)) return invalid('must be a JSON object mapping each key id to {"hash", "scopes", "tenants"?, "name"?}')
  const keys = new Map<string, ConfiguredApiKey>()
  let position = 0
  for (const [id, entry] of Object.entries(parsed)) {
    position += 1
    // An id that breaks the rules is not echoed: it could be a whole key pasted by mistake.
    if (!KEY_ID.test(id)) return invalid(`entry ${position}: a key id must be 8 to 32 lowercase letters and digits`)
    const configured = parseEntry(id, entry)
    if (typeof configured === 'string') return invalid(`key ${id}: ${configured}`)
    keys.set(id, configured)
  }
  return { state: 'on', keys }
}

/**
 * Checks a request's `Authorization` header against the configured keys: `missing` when it
 * presents no bearer token, `invalid` for a malformed key, an unknown id or a wrong secret.
 * Every bearer token costs one SHA-256 and one constant-time comparison, whatever it is.
 */
export async function checkApiKey(keys: ReadonlyMap<string, ConfiguredApiKey>, authorization: string | undefined): Promise<ApiKeyCheck> {
  const token = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1]
  if (token === undefined) return { ok: false, reason: 'missing' }
  const presented = PRESENTED_KEY.exec(token)
  const configured = presented === null ? undefined : keys.get(presented[1] ?? '')
  const digest = await sha256(presented?.[2] ?? '')
  const equal = crypto.subtle.timingSafeEqual(digest, configured?.hash ?? DUMMY_HASH)
  return equal && configured !== undefined ? { ok: true, key: configured.key } : { ok: false, reason: 'invalid' }
}

/** SHA-256 of a secret's UTF-8 bytes: what `API_KEYS` holds for it, as 64 lowercase hex characters. */
export async function hashApiKeySecret(secret: string): Promise<string> {
  return [...(await sha256(secret))].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

function parseEntry(id: string, entry: unknown): ConfiguredApiKey | string {
  if (!isPlainObject(entry)) return 'must be an object {"hash", "scopes", "tenants"?, "name"?}'
  for (const field of Object.keys(entry)) {
    if (!ENTRY_FIELDS.has(field)) return /^[A-Za-z_]{1,32}$/.test(field) ? `unknown field "${field}"` : 'unknown field'
  }
  const { hash, scopes, tenants, name } = entry
  if (typeof hash !== 'string' || !HASH.test(hash)) return 'hash must be the SHA-256 of the secret as 64 lowercase hex characters'
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every(isApiScope)) return `scopes must be a non-empty list of ${API_SCOPES.join(', ')}`
  if (new Set(scopes).size !== scopes.length) return 'scopes lists a scope twice'
  if (tenants !== undefined && (typeof tenants !== 'string' || tenants === '' || tenants.length > MAX_TENANT_PREFIX_LENGTH)) {
    return `tenants must be a tenant id prefix of 1 to ${MAX_TENANT_PREFIX_LENGTH} characters (leave it out for every tenant)`
  }
  if (name !== undefined && (typeof name !== 'string' || name === '' || name.length > MAX_NAME_LENGTH)) return `name must be a string of 1 to ${MAX_NAME_LENGTH} characters`
  return {
    key: { id, name: name ?? null, scopes: new Set(scopes), tenantPrefix: tenants ?? null },
    hash: hexBytes(hash),
  }
}

function invalid(problem: string): ApiKeyConfiguration {
  return { state: 'invalid', problem }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2)
  for (let index = 0; index < bytes.length; index += 1) bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16)
  return bytes
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
}
