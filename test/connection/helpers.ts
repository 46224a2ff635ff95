/**
 * Shared setup of the connection, API and events tests: scenarios on the test upstream
 * (test/setup/upstream-servers.ts), tokens granted there, and connections stored through
 * the same RPC method the OAuth flow uses.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import type { ConnectionObject } from '../../src/connection/connection-object.ts'
import { connectionStub, type ConnectionStub } from '../../src/connection/connection-stub.ts'
import { isSealedCredentials, openCredentials, readCredentialKeyring } from '../../src/connection/credential-encryption.ts'
import type { ConnectionSummary } from '../../src/connection/connection-record.ts'
import { newConnectionId } from '../../src/connection-id.ts'
import { LatchkeyError } from '../../src/errors.ts'
import type { LoggedRequest } from '../setup/upstream-servers.ts'

/** Origin of the test upstream (`http://127.0.0.1:<port>`). */
export const upstreamOrigin = Reflect.get(env, 'UPSTREAM_ORIGIN') as string

/** A token response of the test upstream. */
export interface IssuedTokens {
  access_token: string
  refresh_token?: string
  expires_in?: number | string
  [field: string]: unknown
}

/** One request as the upstream logged it. */
export type { LoggedRequest }

/** A scenario id nobody else uses: per-test state on the upstream. */
export function newScenario(label: string): string {
  return `${label}-${crypto.randomUUID()}`
}

/** A tenant id nobody else uses. */
export function newTenant(): string {
  return `tenant-${crypto.randomUUID()}`
}

async function control(scenario: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${upstreamOrigin}/s/${scenario}/_control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`upstream control ${path} answered ${response.status}`)
  return response.json()
}

/** Changes how the scenario's provider behaves (rotation, expiry, ...). */
export async function configureUpstream(scenario: string, config: Record<string, unknown>): Promise<void> {
  await control(scenario, 'config', config)
}

/** Issues tokens on the upstream as if the user had just authorized. */
export async function grantTokens(scenario: string): Promise<IssuedTokens> {
  return (await control(scenario, 'grant', {})) as IssuedTokens
}

/** Queues scripted answers for the next requests to `path` (e.g. '/token'). */
export async function scriptUpstream(scenario: string, path: string, responses: Record<string, unknown>[]): Promise<void> {
  await control(scenario, 'script', { path, responses })
}

/** Makes every access token issued so far invalid at the upstream API (it answers 401). */
export async function expireUpstreamTokens(scenario: string): Promise<void> {
  await control(scenario, 'expire', {})
}

/**
 * Revokes every grant issued so far, as a user withdrawing access at the provider does: every
 * refresh answers invalid_grant, however many token requests a refresh makes (retries included).
 */
export async function revokeUpstreamGrants(scenario: string): Promise<void> {
  await control(scenario, 'revoke', {})
}

/** Every request the scenario's provider received, in order. */
export async function upstreamRequests(scenario: string, path?: string): Promise<LoggedRequest[]> {
  const log = (await control(scenario, 'log')) as { requests: LoggedRequest[] }
  return path === undefined ? log.requests : log.requests.filter((request) => request.path === path)
}

/** The refresh tokens the token endpoint received, in order. */
export async function presentedRefreshTokens(scenario: string): Promise<string[]> {
  const requests = await upstreamRequests(scenario, '/token')
  return requests.map((request) => new URLSearchParams(request.body).get('refresh_token') ?? '')
}

/** The connection object of `connectionId`, through the stub the flow and the service use (errors carry their codes). */
export function connectionObject(connectionId: string): ConnectionStub {
  return connectionStub(env, connectionId)
}

/** The Durable Object stub itself, for `runInDurableObject` and `runDurableObjectAlarm`. */
export function durableObject(connectionId: string): DurableObjectStub<ConnectionObject> {
  return env.CONNECTIONS.get(env.CONNECTIONS.idFromName(connectionId))
}

/** Credentials as the flow stores them: the token response plus `expires_at`. */
export function credentialsFrom(tokens: IssuedTokens, expiresAt: number | null): Record<string, unknown> {
  const credentials: Record<string, unknown> = { ...tokens }
  if (expiresAt !== null) credentials['expires_at'] = expiresAt
  return credentials
}

/** A stored connection and what it was stored with. */
export interface StoredConnection {
  connectionId: string
  tenant: string
  scenario: string
  tokens: IssuedTokens
  summary: ConnectionSummary
}

/**
 * Grants tokens on a fresh scenario and stores them the way the flow does
 * (`storeAuthorizedConnection`). `expiresAt` defaults to an hour from now; pass a past time
 * for a connection whose access token has expired.
 */
export async function storeConnection(options: {
  label: string
  connectorKey?: string
  tenant?: string
  expiresAt?: number | null
  upstreamConfig?: Record<string, unknown>
  connectionInput?: Record<string, unknown>
  /** Fields a connector added to the token response (e.g. an account id). */
  extraCredentials?: Record<string, unknown>
}): Promise<StoredConnection> {
  const scenario = newScenario(options.label)
  if (options.upstreamConfig) await configureUpstream(scenario, options.upstreamConfig)
  const tokens = await grantTokens(scenario)
  const connectionId = newConnectionId()
  const tenant = options.tenant ?? newTenant()
  const summary = await connectionObject(connectionId).storeAuthorizedConnection({
    connectionId,
    connectorKey: options.connectorKey ?? 'test-oauth',
    tenant,
    connectionInput: { scenario, ...options.connectionInput },
    credentials: { ...credentialsFrom(tokens, options.expiresAt === undefined ? Date.now() + 3_600_000 : options.expiresAt), ...options.extraCredentials },
  })
  return { connectionId, tenant, scenario, tokens, summary }
}

/** The stable code of what `call` rejects with (fails the test if it resolves). */
export async function errorCodeOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call()
  } catch (error) {
    if (error instanceof LatchkeyError) return error.code
    throw error
  }
  throw new Error('expected the call to fail')
}

/** What the connection object has in storage, read raw (as an operator with storage access would see it). */
export async function rawStorage(connectionId: string): Promise<Record<string, unknown>> {
  return runInDurableObject(durableObject(connectionId), (_instance, state) => Object.fromEntries(state.storage.kv.list()))
}

/** The credentials as stored, decrypted with the Worker's keys: checks what a failure left behind. */
export async function storedCredentials(connectionId: string): Promise<Record<string, unknown>> {
  return runInDurableObject(durableObject(connectionId), async (_instance, state) => {
    const sealed = state.storage.kv.get('credentials')
    if (!isSealedCredentials(sealed)) throw new Error('no sealed credentials in storage')
    return openCredentials(sealed, await readCredentialKeyring(env), connectionId)
  })
}
