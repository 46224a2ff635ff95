/**
 * A typed client for Latchkey's RPC entrypoint (`LatchkeyService`). Copy this file into the
 * Worker that binds to Latchkey. It has no dependencies: it declares the RPC surface and
 * turns Latchkey's errors back into `LatchkeyClientError` with a stable `code` (Workers RPC
 * keeps only an error's message, where Latchkey puts `[latchkey:<code>] `).
 */

/** Stable error codes a caller may want to branch on (the README lists them all). */
export type LatchkeyErrorCode =
  | 'connection_not_found'
  | 'needs_reauth'
  | 'refresh_failed'
  | 'upstream_unavailable'
  | 'rate_limited'
  | 'invalid_request'
  | 'connector_not_found'
  | 'connector_misconfigured'
  | 'invalid_connection_input'
  | 'return_url_not_allowed'
  | 'user_verification_failed'
  | 'user_verification_expired'
  | 'credentials_rejected'
  | 'auth_option_required'
  | 'internal_error'
  | (string & {})

/** An error Latchkey raised on purpose. Branch on `code`, never on the message. */
export class LatchkeyClientError extends Error {
  override readonly name = 'LatchkeyClientError'
  readonly code: LatchkeyErrorCode

  constructor(code: LatchkeyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** Whether `error` is a Latchkey error (optionally with this code). */
export function isLatchkeyClientError(error: unknown, code?: LatchkeyErrorCode): error is LatchkeyClientError {
  return error instanceof LatchkeyClientError && (code === undefined || error.code === code)
}

/** A connection as Latchkey reports it: no secrets. Times are ms since epoch. */
export interface ConnectionSummary {
  connectionId: string
  connectorKey: string
  /** The auth option the connection uses (connectors with several ways to connect), else null. */
  authOption: string | null
  tenant: string
  status: 'connected' | 'needs_reauth' | 'error'
  lastError: { code: string; message: string } | null
  testResult: { ok: boolean; code?: string; message?: string; at: number } | null
  createdAt: number
  updatedAt: number
  lastRefreshedAt: number | null
  expiresAt: number | null
}

/**
 * A valid access token and its expiry (ms since epoch, `null` when the provider gave none). Only connections whose credentials hold an `access_token`
 * have one: OAuth2 connections and client-credentials connections whose connector fetches a token
 * (an OAuth2 client-credentials grant). An API-key or basic-auth connection has none
 * (`invalid_request`: use `proxy`, or `getCredentials` for the key itself), nor has an OAuth 1.0a
 * connection (every request must be signed: use `proxy`).
 */
export interface AccessToken {
  accessToken: string
  expiresAt: number | null
}

/** An API call through `proxy`; `path` is relative to the connector's baseUri. */
export interface ProxyRequestInit {
  path: string
  method?: string
  headers?: Record<string, string> | [string, string][]
  body?: string | ArrayBuffer | ArrayBufferView | ReadableStream | null
}

/** What `createConnectUrl` needs. */
export interface ConnectUrlOptions {
  tenant: string
  connectorKey: string
  connectionInput?: Record<string, unknown>
  /** For connectors with several ways to connect: which one (e.g. "api-key" or "oauth"). */
  authOption?: string
  returnUrl?: string
  /** Reconnect this existing connection (e.g. after `needs_reauth`). */
  connectionId?: string
  mode?: 'redirect' | 'popup'
  /** Who the tenant is, as the person knows them ("Alice <alice@example.com>"): shown before the provider opens. */
  displayName?: string
}

/** What `createConnection` needs: credentials your application collected, for a client-credentials connector. */
export interface CreateConnectionOptions {
  tenant: string
  connectorKey: string
  authOption?: string
  /** Everything the connector's inputSchema asks for, secrets included. */
  connectionInput: Record<string, unknown>
  /** Give this existing connection new credentials. */
  connectionId?: string
}

/** What `disconnect` did; the connection is deleted in every case. */
export interface DisconnectResult {
  connectionId: string
  connectorDisconnect: 'absent' | 'succeeded' | 'failed'
}

/** The RPC methods of `LatchkeyService`. */
export interface LatchkeyRpc {
  getAccessToken(tenant: string, connectionId: string, options?: { forceRefresh?: boolean }): Promise<AccessToken>
  getCredentials(tenant: string, connectionId: string): Promise<Record<string, unknown>>
  proxy(tenant: string, connectionId: string, request: Request | ProxyRequestInit): Promise<Response>
  createConnectUrl(options: ConnectUrlOptions): Promise<{ url: string; expiresAt: number }>
  createConnection(options: CreateConnectionOptions): Promise<ConnectionSummary>
  confirmUserVerification(flow: string, tenant: string): Promise<{ url: string }>
  getConnection(tenant: string, connectionId: string): Promise<ConnectionSummary>
  listConnections(tenant: string): Promise<ConnectionSummary[]>
  refresh(tenant: string, connectionId: string): Promise<ConnectionSummary>
  testConnection(tenant: string, connectionId: string): Promise<ConnectionSummary>
  disconnect(tenant: string, connectionId: string): Promise<DisconnectResult>
}

const ENCODED = /^\[latchkey:([a-z_]{1,64})\] ([\s\S]*)$/

/** Turns an error received over RPC into a `LatchkeyClientError` when Latchkey raised it. */
export function toLatchkeyClientError(error: unknown): unknown {
  if (!(error instanceof Error)) return error
  const match = ENCODED.exec(error.message)
  if (match === null || match[1] === undefined) return error
  return new LatchkeyClientError(match[1], match[2] ?? '', { cause: error })
}

/**
 * `LatchkeyRpc` over a service binding, with typed errors:
 * `const latchkey = new LatchkeyClient(env.LATCHKEY)`.
 */
export class LatchkeyClient implements LatchkeyRpc {
  readonly #rpc: LatchkeyRpc

  /** `binding`: the service binding to Latchkey's `LatchkeyService` entrypoint. */
  constructor(binding: Fetcher) {
    this.#rpc = binding as unknown as LatchkeyRpc
  }

  getAccessToken(tenant: string, connectionId: string, options?: { forceRefresh?: boolean }): Promise<AccessToken> {
    return typedErrors(() => this.#rpc.getAccessToken(tenant, connectionId, options))
  }

  getCredentials(tenant: string, connectionId: string): Promise<Record<string, unknown>> {
    return typedErrors(() => this.#rpc.getCredentials(tenant, connectionId))
  }

  proxy(tenant: string, connectionId: string, request: Request | ProxyRequestInit): Promise<Response> {
    return typedErrors(() => this.#rpc.proxy(tenant, connectionId, request))
  }

  createConnectUrl(options: ConnectUrlOptions): Promise<{ url: string; expiresAt: number }> {
    return typedErrors(() => this.#rpc.createConnectUrl(options))
  }

  /**
   * A client-credentials connection (API key, basic auth, OAuth2 client-credentials grant) from
   * input your application collected: tested before it is stored. Throws `credentials_rejected`
   * when the connector's test refuses it (nothing is stored), `invalid_connection_input`.
   */
  createConnection(options: CreateConnectionOptions): Promise<ConnectionSummary> {
    return typedErrors(() => this.#rpc.createConnection(options))
  }

  /**
   * With the user verifier on (USER_VERIFY_URL): confirms that your logged-in user, of `tenant`,
   * is finishing the flow `flow` (the `latchkey_flow` parameter of your verify URL). Send the
   * browser to the returned URL. Throws `user_verification_failed` or `user_verification_expired`.
   */
  confirmUserVerification(flow: string, tenant: string): Promise<{ url: string }> {
    return typedErrors(() => this.#rpc.confirmUserVerification(flow, tenant))
  }

  getConnection(tenant: string, connectionId: string): Promise<ConnectionSummary> {
    return typedErrors(() => this.#rpc.getConnection(tenant, connectionId))
  }

  listConnections(tenant: string): Promise<ConnectionSummary[]> {
    return typedErrors(() => this.#rpc.listConnections(tenant))
  }

  refresh(tenant: string, connectionId: string): Promise<ConnectionSummary> {
    return typedErrors(() => this.#rpc.refresh(tenant, connectionId))
  }

  testConnection(tenant: string, connectionId: string): Promise<ConnectionSummary> {
    return typedErrors(() => this.#rpc.testConnection(tenant, connectionId))
  }

  disconnect(tenant: string, connectionId: string): Promise<DisconnectResult> {
    return typedErrors(() => this.#rpc.disconnect(tenant, connectionId))
  }
}

async function typedErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toLatchkeyClientError(error)
  }
}
