/**
 * Reads what the flow stored, straight from the connection's Durable Object: the summary over
 * the contract RPC, the credentials from storage (decrypted with the Worker's keys), since no
 * RPC method hands out everything stored (getCredentials leaves out refresh_token).
 */
import { env, runInDurableObject } from 'cloudflare:test'
import type { ConnectionObject, ConnectionSummary } from '../../src/connection/connection-object.ts'
import { isSealedCredentials, openCredentials, readCredentialKeyring } from '../../src/connection/credential-encryption.ts'
import { STORAGE_KEYS } from '../../src/connection/connection-storage.ts'

function connection(connectionId: string): DurableObjectStub<ConnectionObject> {
  return env.CONNECTIONS.get(env.CONNECTIONS.idFromName(connectionId)) as DurableObjectStub<ConnectionObject>
}

/** Everything stored as the credentials of a connection, decrypted. */
export async function storedCredentials(connectionId: string): Promise<Record<string, unknown>> {
  return runInDurableObject(connection(connectionId), async (_instance, state) => {
    const sealed = state.storage.kv.get(STORAGE_KEYS.credentials)
    if (!isSealedCredentials(sealed)) throw new Error(`connection ${connectionId} has no sealed credentials in storage`)
    return openCredentials(sealed, await readCredentialKeyring(env), connectionId)
  })
}

/** The summary of a connection, or null. */
export async function storedSummary(connectionId: string): Promise<ConnectionSummary | null> {
  return connection(connectionId).getSummary()
}
