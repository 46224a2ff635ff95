/**
 * Clients the operator registered by hand at an authorization server (MCP "Pre-registration",
 * option 1), from the secret MCP_CLIENTS: JSON of issuer identifier to
 * `{clientId, clientSecret?, tokenEndpointAuthMethod?}`. Keyed by the exact issuer (MCP
 * 2026-07-28 "Authorization Server Binding"): a client is only ever sent to the server that
 * issued it, and a discovered issuer never reaches a hand-written connector's parameters (S27).
 *
 * Parsed strictly: a typo (`client_secret`, an unknown method) must fail loudly instead of
 * silently falling through to another kind of client. Errors name the variable and the issuer,
 * never a secret.
 */
import { isRecord } from '../is-record.ts'
import { LatchkeyError } from '../errors.ts'
import { readSettings } from '../settings.ts'
import type { TokenEndpointAuthMethod } from './client-reference.ts'
import { VSCHAR } from './client-credential-syntax.ts'
import { isTokenEndpointAuthMethod } from './token-endpoint-auth-method.ts'

/** One client of MCP_CLIENTS, with the defaults applied. */
export interface PreRegisteredClient {
  clientId: string
  /** null for a public client. */
  clientSecret: string | null
  /** As configured; else `client_secret_basic` with a secret (RFC 8414's default) and `none` without. */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod
}

const ENTRY_FIELDS = new Set(['clientId', 'clientSecret', 'tokenEndpointAuthMethod'])

let parsed: { raw: string; clients: ReadonlyMap<string, PreRegisteredClient> } | null = null

/** The pre-registered client for `issuer` (exact match), or null when MCP_CLIENTS names none. Throws like `parsePreRegisteredClients`. */
export function preRegisteredClient(env: Env, issuer: string): PreRegisteredClient | null {
  const raw = readSettings(env).variables.get('MCP_CLIENTS') ?? ''
  if (parsed?.raw !== raw) parsed = { raw, clients: parsePreRegisteredClients(raw) }
  return parsed.clients.get(issuer) ?? null
}

/**
 * MCP_CLIENTS parsed (unset or empty: none). A Map, so an issuer named `__proto__` or
 * `constructor` is looked up like any other key. Throws `server_misconfigured` for anything
 * but a JSON object of absolute-URL issuers to valid entries.
 */
export function parsePreRegisteredClients(raw: string | undefined): ReadonlyMap<string, PreRegisteredClient> {
  const clients = new Map<string, PreRegisteredClient>()
  if (raw === undefined || raw.trim() === '') return clients
  let document: unknown
  try {
    document = JSON.parse(raw)
  } catch {
    throw misconfigured('MCP_CLIENTS is not valid JSON.')
  }
  if (!isRecord(document)) throw misconfigured('MCP_CLIENTS must be a JSON object of issuer identifier to {clientId, clientSecret?, tokenEndpointAuthMethod?}.')
  for (const [issuer, entry] of Object.entries(document)) clients.set(issuer, checkedEntry(issuer, entry))
  return clients
}

function checkedEntry(issuer: string, entry: unknown): PreRegisteredClient {
  const where = `MCP_CLIENTS[${JSON.stringify(issuer.slice(0, 200))}]`
  if (!isAbsoluteUrl(issuer)) throw misconfigured(`${where}: the key is not an issuer identifier (an absolute URL).`)
  if (!isRecord(entry)) throw misconfigured(`${where} must be an object {clientId, clientSecret?, tokenEndpointAuthMethod?}.`)
  const unknown = Object.keys(entry).find((field) => !ENTRY_FIELDS.has(field))
  if (unknown !== undefined)
    throw misconfigured(`${where} has the unknown field ${JSON.stringify(unknown.slice(0, 100))} (known: clientId, clientSecret, tokenEndpointAuthMethod).`)
  const { clientId, clientSecret = null, tokenEndpointAuthMethod } = entry
  if (typeof clientId !== 'string' || !VSCHAR.test(clientId)) throw misconfigured(`${where} needs clientId, a non-empty string of printable ASCII.`)
  if (clientSecret !== null && (typeof clientSecret !== 'string' || !VSCHAR.test(clientSecret))) {
    throw misconfigured(`${where} has a clientSecret that is not a non-empty string of printable ASCII.`)
  }
  if (tokenEndpointAuthMethod !== undefined && !isTokenEndpointAuthMethod(tokenEndpointAuthMethod)) {
    throw misconfigured(`${where} has a tokenEndpointAuthMethod other than client_secret_basic, client_secret_post or none.`)
  }
  const method: TokenEndpointAuthMethod = tokenEndpointAuthMethod ?? (clientSecret === null ? 'none' : 'client_secret_basic')
  if (method === 'none' && clientSecret !== null) throw misconfigured(`${where} has a clientSecret but tokenEndpointAuthMethod "none": remove one of them.`)
  if (method !== 'none' && clientSecret === null) throw misconfigured(`${where} needs a clientSecret for tokenEndpointAuthMethod "${method}".`)
  return { clientId, clientSecret, tokenEndpointAuthMethod: method }
}

function isAbsoluteUrl(value: string): boolean {
  try {
    new URL(value)
    return true
  } catch {
    return false
  }
}

function misconfigured(message: string): LatchkeyError {
  return new LatchkeyError('server_misconfigured', message)
}
