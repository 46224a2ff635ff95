/**
 * Addressing a connection: its Durable Object is named by the connection id
 * (`conn_` + 26 base32 characters, see src/flow/connection-id.ts).
 */
import type { ConnectionObject } from './connection-object.ts'

/** The connection object of `connectionId`. */
export function connectionStub(env: Env, connectionId: string): DurableObjectStub<ConnectionObject> {
  return env.CONNECTIONS.get(env.CONNECTIONS.idFromName(connectionId))
}
