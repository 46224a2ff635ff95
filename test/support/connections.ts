/**
 * The tests' connections: one stored the way the flow stores it (`storeConnection`, on a fresh
 * scenario of the test upstream), its connection object (through the stub the flow and the
 * service use, or as the Durable Object itself), and the one credential reader: what the
 * object holds, read straight from its storage and decrypted with the Worker's keys, since no
 * RPC method hands out everything stored (getCredentials leaves out refresh_token).
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import type { ConnectionObject, ConnectionSummary } from '../../src/connection/connection-object.ts'
import { toSummary, type ConnectionRecord } from '../../src/connection/connection-record.ts'
import { STORAGE_KEYS } from '../../src/connection/connection-storage.ts'
import { connectionStub, type ConnectionStub } from '../../src/connection/connection-stub.ts'
import { isSealedCredentials, openCredentials, readCredentialKeyring, type SealedCredentials } from '../../src/connection/credential-encryption.ts'
import { newConnectionId } from '../../src/connection-id.ts'
import { UpstreamScenario, type IssuedTokens, type ScenarioConfig } from './upstream.ts'

/** A tenant id nobody else uses. */
export function newTenant(): string {
  return `tenant-${crypto.randomUUID()}`
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
  /** The test upstream's scenario the connection talks to (its connection input names `scenario.id`). */
  scenario: UpstreamScenario
  tokens: IssuedTokens
  summary: ConnectionSummary
}

/**
 * Grants tokens on a fresh scenario (its id starts with `label`, to find it in the upstream's
 * log) and stores them the way the flow does (`storeAuthorizedConnection`). `expiresAt`
 * defaults to an hour from now; pass a past time for a connection whose access token has expired.
 */
export async function storeConnection(options: {
  label: string
  connectorKey?: string
  tenant?: string
  expiresAt?: number | null
  upstreamConfig?: Partial<ScenarioConfig>
  connectionInput?: Record<string, unknown>
  /** Fields a connector added to the token response (e.g. an account id). */
  extraCredentials?: Record<string, unknown>
}): Promise<StoredConnection> {
  const scenario = new UpstreamScenario(`${options.label}-${crypto.randomUUID()}`)
  if (options.upstreamConfig) await scenario.configure(options.upstreamConfig)
  const tokens = await scenario.grant()
  const connectionId = newConnectionId()
  const tenant = options.tenant ?? newTenant()
  const summary = await connectionObject(connectionId).storeAuthorizedConnection({
    connectionId,
    connectorKey: options.connectorKey ?? 'test-oauth',
    tenant,
    connectionInput: { scenario: scenario.id, ...options.connectionInput },
    credentials: { ...credentialsFrom(tokens, options.expiresAt === undefined ? Date.now() + 3_600_000 : options.expiresAt), ...options.extraCredentials },
  })
  return { connectionId, tenant, scenario, tokens, summary }
}

/** What the connection object has in storage, read raw (as an operator with storage access would see it). */
export async function rawStorage(connectionId: string): Promise<Record<string, unknown>> {
  return runInDurableObject(durableObject(connectionId), (_instance, state) => Object.fromEntries(state.storage.kv.list()))
}

/**
 * Decrypts a value read from a connection's storage as its credentials: for a test that reads
 * storage itself at a chosen moment (inside `runInDurableObject`). Fails when it is not sealed credentials.
 */
export async function openStoredCredentials(sealed: unknown, connectionId: string): Promise<Record<string, unknown>> {
  return openCredentials(asSealed(sealed, connectionId), await readCredentialKeyring(env), connectionId)
}

/** The credentials as stored (sealed) and what they decrypt to: `toEqual` on two reads proves nothing was written. */
export async function sealedCredentials(connectionId: string): Promise<{ sealed: SealedCredentials; credentials: Record<string, unknown> }> {
  const sealed = asSealed(await runInDurableObject(durableObject(connectionId), (_instance, state) => state.storage.kv.get(STORAGE_KEYS.credentials)), connectionId)
  return { sealed, credentials: await openStoredCredentials(sealed, connectionId) }
}

/** Everything stored as the credentials of a connection, decrypted. */
export async function storedCredentials(connectionId: string): Promise<Record<string, unknown>> {
  return (await sealedCredentials(connectionId)).credentials
}

/** The summary of what a connection's object stores, whatever its tenant, or null when it stores none. */
export async function storedSummary(connectionId: string): Promise<ConnectionSummary | null> {
  const record = await runInDurableObject(durableObject(connectionId), (_instance, state) => state.storage.kv.get<ConnectionRecord>(STORAGE_KEYS.connection))
  return record === undefined ? null : toSummary(record)
}

function asSealed(value: unknown, connectionId: string): SealedCredentials {
  if (!isSealedCredentials(value)) throw new Error(`connection ${connectionId} has no sealed credentials in storage`)
  return value
}
