/**
 * `LatchkeyService`: the RPC entrypoint other Workers bind to
 * (`[[services]] binding = "LATCHKEY", service = "latchkey", entrypoint = "LatchkeyService"`).
 * Credentials are reachable only this way, never over public HTTP (S14).
 *
 * Every public method is callable over RPC, so this class only forwards to the private
 * `LatchkeyApi`. Errors cross RPC as `Error` with the message `[latchkey:<code>] <message>`
 * (workerd keeps nothing but the message); the typed client in
 * packages/client (`@latchkey/client`) turns them back into errors with `.code`.
 *
 * Names avoid the handlers WorkerEntrypoint reserves: the API proxy is `proxy`, not `fetch`
 * (`fetch` on a service binding is the entrypoint's HTTP handler, which this entrypoint
 * deliberately does not have), and the connection test is `testConnection`, not `test`
 * (the entrypoint's test handler).
 */
import { WorkerEntrypoint } from 'cloudflare:workers'
import type { ApiRequestInit } from '../connection/api-request.ts'
import type { AccessToken, ConnectionSummary, DirectApiClientConfig, DisconnectResult } from '../connection/connection-object.ts'
import { withRpcErrors } from '../connection/rpc-error.ts'
import type { ConnectUrlOptions } from '../flow/connect-url.ts'
import type { ConnectionPage, ListConnectionsOptions } from '../connection/connection-listing.ts'
import { reportConnectorHealthOnce } from '../registry/connector-health.ts'
import { LatchkeyApi, type AccessTokenOptions, type ConnectorReadiness, type CreateConnectionOptions } from './latchkey-api.ts'

export type { AccessTokenOptions, ConnectorReadiness, CreateConnectionOptions } from './latchkey-api.ts'
export type { ApiRequestInit } from '../connection/api-request.ts'
export type { ConnectUrlOptions } from '../flow/connect-url.ts'
export type { ConnectionPage, ListConnectionsOptions } from '../connection/connection-listing.ts'
export type { DirectApiClientConfig } from '../connection/direct-api-config.ts'

export class LatchkeyService extends WorkerEntrypoint<Env> {
  readonly #api = new LatchkeyApi(this.env)

  constructor(ctx: ExecutionContext, env: Env) {
    super(ctx, env)
    // A Worker only called over RPC may never see an HTTP request: its first call reports
    // the connectors that cannot run (once per isolate, connector-health.ts).
    reportConnectorHealthOnce(env)
  }

  /** A valid access token (refreshed first when it expires within the refresh margin) and its expiry. */
  getAccessToken(tenant: string, connectionId: string, options?: AccessTokenOptions): Promise<AccessToken> {
    return withRpcErrors(() => this.#api.getAccessToken(tenant, connectionId, options))
  }

  /**
   * What is stored for the connection (token response plus connector fields), refreshed when
   * due, without `refresh_token`: refreshing is Latchkey's job (`refresh`), one at a time (S12).
   */
  getCredentials(tenant: string, connectionId: string): Promise<Record<string, unknown>> {
    return withRpcErrors(() => this.#api.getCredentials(tenant, connectionId))
  }

  /**
   * Calls the connector's API with the connection's authentication (makeApiClient): `request`
   * is a Request whose URL is under the connector's baseUri, or `{path, method?, headers?, body?}`
   * with `path` relative to baseUri. On a 401 the credentials are refreshed and the call is
   * retried once. The upstream response comes back as it is.
   */
  proxy(tenant: string, connectionId: string, request: Request | ApiRequestInit): Promise<Response> {
    return withRpcErrors(() => this.#api.proxy(tenant, connectionId, request))
  }

  /**
   * What a caller needs to call the connection's API itself (the client package's direct
   * proxy): baseUri, headers (the Authorization included) and query as the connector's
   * makeApiClient evaluates them, the `version` of the credentials they were made from, and
   * `expiresAt`, when to ask again. `{ direct: false, reason }` when only Latchkey can send the
   * connector's requests (OAuth 1.0a signing, response handlers): use `proxy` then.
   */
  getApiClientConfig(tenant: string, connectionId: string): Promise<DirectApiClientConfig> {
    return withRpcErrors(() => this.#api.getApiClientConfig(tenant, connectionId))
  }

  /**
   * After the API answered 401 to the configuration of `rejectedVersion`: refreshes the
   * credentials once (every caller reporting the same version shares that refresh) and returns
   * the new configuration; when they were refreshed or replaced already, returns the current one.
   */
  refreshApiClientConfig(tenant: string, connectionId: string, rejectedVersion: string): Promise<DirectApiClientConfig> {
    return withRpcErrors(() => this.#api.refreshApiClientConfig(tenant, connectionId, rejectedVersion))
  }

  /**
   * A one-time URL (valid 10 minutes) that starts the connect flow in the user's browser for
   * `options.tenant`; pass `connectionId` to reconnect an existing connection (its stored
   * connection input is reused unless `connectionInput` is given), and `displayName` to have
   * the start say whose account the connection lands in (S21).
   */
  createConnectUrl(options: ConnectUrlOptions): Promise<{ url: string; expiresAt: number }> {
    return withRpcErrors(() => this.#api.createConnectUrl(options))
  }

  /**
   * A connection from credentials the application collected itself (client-credentials
   * connectors: API keys, username and password, an OAuth2 client-credentials grant's client):
   * `connectionInput` is validated against the connector's inputSchema, the connector's test
   * runs, and the connection is stored only when it passes (`credentials_rejected` otherwise;
   * nothing is stored). Pass `connectionId` to give an existing connection new credentials.
   */
  createConnection(options: CreateConnectionOptions): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#api.createConnection(options))
  }

  /**
   * The user verifier (S21): your verify page (USER_VERIFY_URL) received `latchkey_flow`; call
   * this with it and the tenant of the user logged in to your application. Returns the URL to
   * send the browser back to, where the connection is completed; throws
   * `user_verification_failed` when the flow was started for another tenant (send the browser
   * nowhere: nothing is stored) or `user_verification_expired`.
   */
  confirmUserVerification(flow: string, tenant: string): Promise<{ url: string }> {
    return withRpcErrors(() => this.#api.confirmUserVerification(flow, tenant))
  }

  /** The connection's status, errors and times; no secrets. */
  getConnection(tenant: string, connectionId: string): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#api.getConnection(tenant, connectionId))
  }

  /**
   * A page of the tenant's connections (summaries, no secrets), ordered by connection id:
   * `limit` per page (1 to 1000, default 100); pass the page's `nextCursor` as `cursor` for
   * the next one (`null` on the last page). Served from the tenant directory alone, which
   * every connection updates before its own call returns.
   */
  listConnections(tenant: string, options?: ListConnectionsOptions): Promise<ConnectionPage> {
    return withRpcErrors(() => this.#api.listConnections(tenant, options))
  }

  /**
   * Every compiled connector, sorted by key, with its readiness: `ready` when its parameters
   * (Worker variables and secrets) let connections start, else each variable to set or fix
   * (`problems`: `{ variable, code: 'missing' | 'invalid', message }`). For operators; no
   * value is ever included. Unready connectors are not offered on the connect page.
   */
  listConnectors(): Promise<ConnectorReadiness[]> {
    return withRpcErrors(() => this.#api.listConnectors())
  }

  /** Refreshes the credentials now and returns the summary. */
  refresh(tenant: string, connectionId: string): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#api.refresh(tenant, connectionId))
  }

  /** Runs the connector's test method and returns the summary with `testResult`. */
  testConnection(tenant: string, connectionId: string): Promise<ConnectionSummary> {
    return withRpcErrors(() => this.#api.testConnection(tenant, connectionId))
  }

  /** Runs the connector's disconnect method, then deletes the connection and its credentials. */
  disconnect(tenant: string, connectionId: string): Promise<DisconnectResult> {
    return withRpcErrors(() => this.#api.disconnect(tenant, connectionId))
  }
}
