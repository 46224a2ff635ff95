/**
 * The flow's side of the connection Durable Object contract: store the authorized
 * connection, run its test, and check that a connection to reconnect belongs to the caller.
 */
import type { AuthorizedConnectionInput, ConnectionObject, ConnectionSummary } from '../connection/connection-object.ts'
import { fromRpcError } from '../connection/rpc-error.ts'
import { LatchkeyError } from '../errors.ts'

function connectionObject(env: Env, connectionId: string): DurableObjectStub<ConnectionObject> {
  return env.CONNECTIONS.get(env.CONNECTIONS.idFromName(connectionId)) as DurableObjectStub<ConnectionObject>
}

/**
 * Stores the credentials (a new connection, or new credentials for a reconnect), then runs the
 * connector's test. A failing test keeps the connection; its summary says so.
 */
export async function storeAndTestConnection(env: Env, connection: AuthorizedConnectionInput): Promise<ConnectionSummary> {
  const stub = connectionObject(env, connection.connectionId)
  try {
    await stub.storeAuthorizedConnection(connection)
    return await stub.runConnectionTest()
  } catch (error) {
    throw fromRpcError(error)
  }
}

/**
 * Throws `connection_not_found` unless `connectionId` exists for this tenant and connector: a
 * reconnect may only replace the credentials of the caller's own connection.
 */
export async function assertReconnectable(env: Env, connectionId: string, tenant: string, connectorKey: string): Promise<void> {
  let summary: ConnectionSummary | null
  try {
    summary = await connectionObject(env, connectionId).getSummary()
  } catch (error) {
    throw fromRpcError(error)
  }
  if (summary === null || summary.tenant !== tenant || summary.connectorKey !== connectorKey) {
    throw new LatchkeyError('connection_not_found', `There is no ${connectorKey} connection ${connectionId} for this tenant to reconnect.`)
  }
}
