/**
 * Where the flows hand over to the connection object: after the code exchange (OAuth2, OAuth
 * 1.0a) it stores the authorized connection and runs its test; for credentials the user typed
 * (client-credentials) it derives the credentials and has them tested before anything is
 * stored; before a reconnect starts, it checks that the connection to replace is the caller's.
 * A new connection of a provider account the tenant has connected already ends in that
 * connection (connection-implementation.ts): the summary returned then names its id.
 */
import type { AuthorizedConnectionInput, ConnectionAccount, ConnectionSummary } from '../connection/connection-object.ts'
import { connectionStub, notFoundAsNull } from '../connection/connection-stub.ts'
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { connectorWithAuthOption } from '../registry/auth-option.ts'
import { connectorContext } from '../registry/connector-context.ts'
import { hasMethod, runMethod } from '../registry/registry.ts'
import { readSettings } from '../settings.ts'
import { validateConnectionInput } from './connection-input.ts'
import { connectorFor } from './start-authorization.ts'
import { splitTypedInput } from './typed-input.ts'

/**
 * Stores the credentials (a new connection, or new credentials for a reconnect) and runs the
 * connector's test, with `account` when the flow validated an id_token (S17). A failing test
 * keeps the connection; its summary says so. The summary may name another connection than
 * `connection.connectionId`: the tenant's connection of the same account, which got the credentials.
 */
export async function storeAndTestConnection(env: Env, connection: AuthorizedConnectionInput, account: ConnectionAccount | null = null): Promise<ConnectionSummary> {
  return connectionStub(env, connection.connectionId).createTestedConnection({ ...connection, account, failedTest: 'keep' })
}

/** A connection from credentials the user (or the application, over RPC) typed. */
export interface TypedConnectionRequest {
  /** A new id (newConnectionId), or the caller's connection to reconnect (checked by the caller). */
  connectionId: string
  connectorKey: string
  authOption: string | null
  tenant: string
  /** Everything typed, secrets included; validated here against the connector's inputSchema. */
  typedInput: unknown
}

/**
 * S22: validates the typed input, derives the credentials (getCredentialsFromConnectionParameters,
 * by default the input itself) and has the connection object test them before it stores
 * anything. The secret fields are sealed with the credentials, never kept in the connection
 * input. Throws `invalid_connection_input`, `credentials_rejected` (nothing stored) or the
 * connector's error. When the test names an account the tenant has connected already, the
 * returned summary is that connection's.
 */
export async function connectWithTypedInput(env: Env, request: TypedConnectionRequest): Promise<ConnectionSummary> {
  const connector = connectorWithAuthOption(connectorFor(request.connectorKey), request.authOption)
  if (connector.auth.type !== 'client-credentials') {
    throw new LatchkeyError('invalid_request', `Connector "${connector.key}" connects by ${connector.auth.type}, not by typed credentials: use a connect URL.`)
  }
  const input = validateConnectionInput(connector, request.typedInput)
  const context = connectorContext(connector, readSettings(env), input)
  const credentials = hasMethod(connector, 'getCredentialsFromConnectionParameters') ? await runMethod(connector, 'getCredentialsFromConnectionParameters', context) : input
  if (!isRecord(credentials)) {
    throw new LatchkeyError('connector_method_failed', `getCredentialsFromConnectionParameters of connector "${connector.key}" must return an object.`)
  }
  const { publicInput, secretInput } = splitTypedInput(connector.auth.inputSchema, input)
  return connectionStub(env, request.connectionId).createTestedConnection({
    connectionId: request.connectionId,
    connectorKey: connector.key,
    authOption: request.authOption,
    tenant: request.tenant,
    connectionInput: publicInput,
    secretInput,
    credentials,
    failedTest: 'reject',
  })
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
