/**
 * Where the flow hands over to the connection object: after the code exchange it stores the
 * authorized connection and runs its test; before a reconnect starts, it checks that the
 * connection to replace is the caller's.
 */
import type { AuthorizedConnectionInput, ConnectionSummary } from '../connection/connection-object.ts'
import { connectionStub, notFoundAsNull } from '../connection/connection-stub.ts'
import { LatchkeyError } from '../errors.ts'

/**
 * Stores the credentials (a new connection, or new credentials for a reconnect), then runs the
 * connector's test. A failing test keeps the connection; its summary says so.
 */
export async function storeAndTestConnection(env: Env, connection: AuthorizedConnectionInput): Promise<ConnectionSummary> {
  const stub = connectionStub(env, connection.connectionId)
  await stub.storeAuthorizedConnection(connection)
  return stub.testConnection(connection.tenant)
}

/**
 * Throws `connection_not_found` unless `connectionId` exists for this tenant and connector: a
 * reconnect may only replace the credentials of the caller's own connection.
 */
export async function assertReconnectable(env: Env, connectionId: string, tenant: string, connectorKey: string): Promise<void> {
  const summary = await connectionStub(env, connectionId).getSummary(tenant).catch(notFoundAsNull)
  if (summary === null || summary.connectorKey !== connectorKey) {
    throw new LatchkeyError('connection_not_found', `There is no ${connectorKey} connection ${connectionId} for this tenant to reconnect.`)
  }
}
