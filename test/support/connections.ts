/**
 * Reads what the flow stored, straight from the connection's Durable Object (contract RPC).
 */
import { env } from 'cloudflare:test'
import type { ConnectionObject, ConnectionSummary } from '../../src/connection/connection-object.ts'

function connection(connectionId: string): DurableObjectStub<ConnectionObject> {
  return env.CONNECTIONS.get(env.CONNECTIONS.idFromName(connectionId)) as DurableObjectStub<ConnectionObject>
}

/** The credentials stored for a connection of `tenant`. */
export async function storedCredentials(connectionId: string, tenant = 'tenant-1'): Promise<Record<string, unknown>> {
  return connection(connectionId).getCredentials(tenant)
}

/** The summary of a connection, or null. */
export async function storedSummary(connectionId: string): Promise<ConnectionSummary | null> {
  return connection(connectionId).getSummary()
}
