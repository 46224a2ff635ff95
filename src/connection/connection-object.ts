/**
 * One Durable Object per connection (`CONNECTIONS.idFromName(connectionId)`): credentials,
 * status and serialized refresh. Every public method here is callable over RPC, so this
 * class only forwards to the private `ConnectionImplementation` and encodes error codes for
 * the trip (`fromRpcError` on the caller's side turns them back into LatchkeyErrors).
 *
 * Methods without a tenant are for the OAuth flow, which has just authorized the connection;
 * methods with one are for `LatchkeyService`, and treat another tenant's connection as missing.
 */
import { DurableObject } from 'cloudflare:workers'
import type { ApiCall } from './api-request.ts'
import { ConnectionImplementation, type AccessToken, type AuthorizedConnectionInput, type DisconnectResult } from './connection-implementation.ts'
import type { ConnectionSummary } from './connection-record.ts'
import { withRpcErrors } from './rpc-error.ts'

export type { AccessToken, AuthorizedConnectionInput, DisconnectResult } from './connection-implementation.ts'
export type { ConnectionSummary } from './connection-record.ts'

export class ConnectionObject extends DurableObject<Env> {
  readonly #connection: ConnectionImplementation

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#connection = new ConnectionImplementation(ctx, env)
    void ctx.blockConcurrencyWhile(() => this.#connection.start())
  }

  /** Flow: creates the connection, or replaces its credentials on reconnect (same tenant only). */
  storeAuthorizedConnection(input: AuthorizedConnectionInput): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#connection.storeAuthorizedConnection(input))
  }

  /** Flow: runs the connector's `test` with the stored credentials and records the result. */
  runConnectionTest(): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#connection.runConnectionTest())
  }

  /** Flow: the summary (no secrets), or `null` when this object holds no connection. */
  getSummary(): Promise<ConnectionSummary | null> {
    return withRpcErrors(() => this.#connection.getSummary())
  }

  /** Service: the summary of the tenant's connection. */
  getSummaryFor(tenant: string): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#connection.getSummaryFor(tenant))
  }

  /** Service: the connection input, so a reconnect can start from it. */
  getConnectionInput(tenant: string): Promise<Record<string, unknown>> {
    return withRpcErrors(() => this.#connection.getConnectionInput(tenant))
  }

  /** Service: runs the connector's `test` for the tenant's connection. */
  testFor(tenant: string): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#connection.runConnectionTest(tenant))
  }

  /** Service: a valid access token and its expiry. */
  getAccessToken(tenant: string, options?: { forceRefresh?: boolean }): Promise<AccessToken> {
    return withRpcErrors(() => this.#connection.getAccessToken(tenant, options))
  }

  /** Service: the stored credentials without refresh_token, refreshed when due. */
  getCredentials(tenant: string): Promise<Record<string, unknown>> {
    return withRpcErrors(() => this.#connection.getCredentials(tenant))
  }

  /** Service: refreshes now. */
  refresh(tenant: string): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#connection.refresh(tenant))
  }

  /** Service: an API call with the connection's authentication; refresh and one retry on 401. */
  proxy(tenant: string, call: ApiCall): Promise<Response> {
    return withRpcErrors(() => this.#connection.proxy(tenant, call))
  }

  /** Service: the connector's disconnect method, then deletion of everything stored. */
  disconnect(tenant: string): Promise<DisconnectResult> {
    return withRpcErrors(() => this.#connection.disconnect(tenant))
  }

  /** Refresh ahead of expiry, and retries after failures. */
  override alarm(): Promise<void> {
    return this.#connection.alarm()
  }
}
