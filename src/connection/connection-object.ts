/**
 * One Durable Object per connection (`CONNECTIONS.idFromName(connectionId)`): credentials,
 * status and serialized refresh. Every public method here is callable over RPC, so this
 * class only forwards to the private `ConnectionImplementation` and encodes error codes for
 * the trip. Callers reach it through `connectionStub` (connection-stub.ts), which turns the
 * codes back into LatchkeyErrors.
 *
 * Every operation names the tenant (`storeAuthorizedConnection` inside its input), and the
 * object treats another tenant's connection exactly as a missing one: `connection_not_found`.
 */
import { DurableObject } from 'cloudflare:workers'
import type { ReconnectScopes } from '../discovery/discovered-authorization.ts'
import type { ApiCall } from './api-request.ts'
import type { AuthorizedConnectionInput } from './authorized-connection.ts'
import { ConnectionImplementation, type AccessToken, type DisconnectResult } from './connection-implementation.ts'
import type { ConnectionSummary } from './connection-record.ts'
import type { DirectApiClientConfig } from './direct-api-config.ts'
import { withRpcErrors } from './rpc-error.ts'
import type { TestedConnectionRequest } from './tested-connection-request.ts'

export type { AuthorizedConnectionInput } from './authorized-connection.ts'
export type { AccessToken, DisconnectResult } from './connection-implementation.ts'
export type { ConnectionAccount } from './connection-account.ts'
export type { ConnectionSummary } from './connection-record.ts'
export type { TestedConnectionRequest } from './tested-connection-request.ts'
export type { DirectApiClientConfig } from './direct-api-config.ts'

export class ConnectionObject extends DurableObject<Env> {
  readonly #connection: ConnectionImplementation

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#connection = new ConnectionImplementation(ctx, env)
    void ctx.blockConcurrencyWhile(() => this.#connection.start())
  }

  /** Creates the connection, or replaces its credentials on reconnect (same tenant and connector only). */
  storeAuthorizedConnection(input: AuthorizedConnectionInput): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#connection.storeAuthorizedConnection(input))
  }

  /**
   * The end of a connect flow: tests and stores the credentials with the account they act for;
   * a new connection of an account the tenant has connected already goes to that connection
   * (its summary is returned). A failing test rejects (`credentials_rejected`, nothing stored)
   * or is kept (`failedTest: 'keep'`, status error).
   */
  createTestedConnection(request: TestedConnectionRequest): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#connection.createTestedConnection(request))
  }

  /** The summary of the tenant's connection: status, errors, times; no secrets. */
  getSummary(tenant: string): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#connection.getSummary(tenant))
  }

  /** The connection input, so a reconnect can start from it. */
  getConnectionInput(tenant: string): Promise<Record<string, unknown>> {
    return withRpcErrors(() => this.#connection.getConnectionInput(tenant))
  }

  /** A discovered connection's scopes a reconnect requests too (connection-implementation.ts). */
  getReconnectScopes(tenant: string): Promise<ReconnectScopes | null> {
    return withRpcErrors(() => this.#connection.getReconnectScopes(tenant))
  }

  /** Runs the connector's `test` with the stored credentials and records the result. */
  testConnection(tenant: string): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#connection.testConnection(tenant))
  }

  /** A valid access token and its expiry. */
  getAccessToken(tenant: string, options?: { forceRefresh?: boolean }): Promise<AccessToken> {
    return withRpcErrors(() => this.#connection.getAccessToken(tenant, options))
  }

  /** The stored credentials without refresh_token, refreshed when due. */
  getCredentials(tenant: string): Promise<Record<string, unknown>> {
    return withRpcErrors(() => this.#connection.getCredentials(tenant))
  }

  /** Refreshes now. */
  refresh(tenant: string): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#connection.refresh(tenant))
  }

  /** An API call with the connection's authentication; refresh and one retry on 401. */
  proxy(tenant: string, call: ApiCall): Promise<Response> {
    return withRpcErrors(() => this.#connection.proxy(tenant, call))
  }

  /** The evaluated API client configuration for a caller's direct proxy, or why it cannot have one. */
  getApiClientConfig(tenant: string): Promise<DirectApiClientConfig> {
    return withRpcErrors(() => this.#connection.getApiClientConfig(tenant))
  }

  /** After a 401 with the configuration of `rejectedVersion`: one shared refresh, then the new configuration. */
  refreshApiClientConfig(tenant: string, rejectedVersion: string): Promise<DirectApiClientConfig> {
    return withRpcErrors(() => this.#connection.refreshApiClientConfig(tenant, rejectedVersion))
  }

  /** The connector's disconnect method, then deletion of everything stored. */
  disconnect(tenant: string): Promise<DisconnectResult> {
    return withRpcErrors(() => this.#connection.disconnect(tenant))
  }

  /** Refresh ahead of expiry, and retries after failures. */
  override alarm(): Promise<void> {
    return this.#connection.alarm()
  }
}
