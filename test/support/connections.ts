/**
 * The tests' one credential reader: what a connection's Durable Object holds, read straight
 * from its storage and decrypted with the Worker's keys, since no RPC method hands out
 * everything stored (getCredentials leaves out refresh_token), and the summary of what is stored.
 */
import { env, runInDurableObject } from 'cloudflare:test'
import type { ConnectionObject, ConnectionSummary } from '../../src/connection/connection-object.ts'
import { isSealedCredentials, openCredentials, readCredentialKeyring, type SealedCredentials } from '../../src/connection/credential-encryption.ts'
import { toSummary, type ConnectionRecord } from '../../src/connection/connection-record.ts'
import { STORAGE_KEYS } from '../../src/connection/connection-storage.ts'

function connection(connectionId: string): DurableObjectStub<ConnectionObject> {
  return env.CONNECTIONS.get(env.CONNECTIONS.idFromName(connectionId)) as DurableObjectStub<ConnectionObject>
}

/** The credentials as stored (sealed) and what they decrypt to: `toEqual` on two reads proves nothing was written. */
export async function sealedCredentials(connectionId: string): Promise<{ sealed: SealedCredentials; credentials: Record<string, unknown> }> {
  const sealed = await runInDurableObject(connection(connectionId), (_instance, state) => state.storage.kv.get(STORAGE_KEYS.credentials))
  if (!isSealedCredentials(sealed)) throw new Error(`connection ${connectionId} has no sealed credentials in storage`)
  return { sealed, credentials: await openCredentials(sealed, await readCredentialKeyring(env), connectionId) }
}

/** Everything stored as the credentials of a connection, decrypted. */
export async function storedCredentials(connectionId: string): Promise<Record<string, unknown>> {
  return (await sealedCredentials(connectionId)).credentials
}

/** The summary of what a connection's object stores, whatever its tenant, or null when it stores none. */
export async function storedSummary(connectionId: string): Promise<ConnectionSummary | null> {
  const record = await runInDurableObject(connection(connectionId), (_instance, state) => state.storage.kv.get<ConnectionRecord>(STORAGE_KEYS.connection))
  return record === undefined ? null : toSummary(record)
}
