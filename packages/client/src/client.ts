/**
 * `LatchkeyClient`: Latchkey's RPC entrypoint (`LatchkeyService`) over a service binding,
 * with typed errors, a token cache in the caller's isolate (`getAccessToken`) and a direct
 * proxy (`fetchApi`) that calls the connector's API from the caller's isolate with a cached
 * API client configuration, instead of two hops through Latchkey. README.md says when each
 * cache answers and what that trades.
 */
import { buildApiRequest, readApiCall, type ApiCall } from './api-request.ts'
import { typedErrors } from './errors.ts'
import { connectionKey, IsolateCache } from './isolate-cache.ts'
import type {
  AccessToken,
  AccessTokenOptions,
  ApiRequestInit,
  ConnectionSummary,
  ConnectorReadiness,
  ConnectUrl,
  ConnectUrlOptions,
  CreateConnectionOptions,
  DirectApiClientConfig,
  DisconnectResult,
  LatchkeyRpc,
} from './service-types.ts'

/** How long before a token's expiry the cache stops answering with it: Latchkey's refresh margin (REFRESH_AHEAD_MS). */
export const REFRESH_MARGIN_MS = 5 * 60_000

/** Default longest time a token or configuration is answered from memory. */
export const DEFAULT_CACHE_TTL_MS = 60_000

/** Default most connections the caches hold per client. */
export const DEFAULT_MAX_CACHE_ENTRIES = 1_000

/** The service binding to Latchkey's `LatchkeyService` entrypoint (typed or not). */
export type LatchkeyBinding = Fetcher | LatchkeyRpc

/** Options of `LatchkeyClient`. */
export interface LatchkeyClientOptions {
  /**
   * Longest time (ms) a token (`getAccessToken`) or an API client configuration (`fetchApi`)
   * is answered from this isolate's memory; 0 disables both caches. Default 60 s. A
   * disconnected or refreshed connection's token can be handed out for at most this long.
   */
  cacheTtlMs?: number
  /** Most connections each cache holds (the least recently stored go first). Default 1,000. */
  maxCacheEntries?: number
  /** What `fetchApi` sends requests with. Default: the global `fetch`. */
  fetch?: (request: Request) => Promise<Response>
  /** The clock, ms since epoch. Default `Date.now`; tests pass their own. */
  now?: () => number
}

/**
 * Latchkey's RPC methods with typed errors (`LatchkeyClientError` with `.code`), plus the
 * isolate caches and the direct proxy. Create one per isolate (module scope), not one per
 * request: the caches live in the client.
 */
export class LatchkeyClient implements LatchkeyRpc {
  readonly #rpc: LatchkeyRpc
  readonly #fetch: (request: Request) => Promise<Response>
  readonly #now: () => number
  readonly #ttlMs: number
  readonly #tokens: IsolateCache<AccessToken>
  readonly #configs: IsolateCache<DirectApiClientConfig>
  /** Refreshes after a 401, per connection and rejected version: a storm of 401s makes one RPC. */
  readonly #refreshing = new Map<string, Promise<DirectApiClientConfig>>()

  /** `binding`: the service binding to Latchkey's `LatchkeyService` entrypoint (`env.LATCHKEY`). */
  constructor(binding: LatchkeyBinding, options: LatchkeyClientOptions = {}) {
    this.#rpc = binding as unknown as LatchkeyRpc
    this.#fetch = options.fetch ?? ((request) => fetch(request))
    this.#now = options.now ?? Date.now
    const ttlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS
    const maxEntries = options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES
    if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new RangeError('cacheTtlMs must be a finite number of milliseconds, 0 or more.')
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxCacheEntries must be a positive integer.')
    this.#ttlMs = ttlMs
    const cacheOptions = { ttlMs, maxEntries, now: this.#now }
    this.#tokens = new IsolateCache(cacheOptions)
    this.#configs = new IsolateCache(cacheOptions)
  }

  /**
   * A valid access token and its expiry. Answered from this isolate's memory while the token
   * is valid for longer than Latchkey's refresh margin (5 minutes, or half its remaining
   * lifetime when that is shorter), and for at most `cacheTtlMs` after Latchkey handed it
   * out; concurrent misses share one RPC. `forceRefresh` always asks Latchkey (which
   * refreshes) and replaces the cached token. Errors are never cached.
   */
  getAccessToken(tenant: string, connectionId: string, options?: AccessTokenOptions): Promise<AccessToken> {
    const key = connectionKey(tenant, connectionId)
    const load = (): Promise<AccessToken> => typedErrors(() => this.#rpc.getAccessToken(tenant, connectionId, options)).then((token) => Object.freeze(token))
    if (options?.forceRefresh === true) {
      // The configuration holds the old token too.
      this.#configs.delete(key)
      return this.#tokens.load(key, load, tokenUsableUntil)
    }
    return this.#tokens.get(key, load, tokenUsableUntil)
  }

  /**
   * Calls the connector's API from this isolate: the connection's API client configuration
   * (baseUri, headers, query from makeApiClient) comes from Latchkey once and is cached like
   * tokens (until its expiry, at most `cacheTtlMs`). `request` is a Request whose URL is under
   * baseUri, or `{path, method?, headers?, body?}` with `path` relative to baseUri; the path
   * rules of Latchkey's proxy apply before anything is sent (`invalid_request`). On a 401
   * Latchkey refreshes those credentials (once for any number of 401s) and the call is
   * retried once. Connectors whose API client the caller cannot apply (OAuth 1.0a signing,
   * response handlers, a ready client object) go through `proxy` instead, as does everything
   * when the Latchkey deployed predates the direct proxy. Redirects and other statuses come
   * back as they are (no retry of a 429: that is `proxy`'s).
   */
  async fetchApi(tenant: string, connectionId: string, request: Request | ApiRequestInit): Promise<Response> {
    const call = await readApiCall(request)
    const key = connectionKey(tenant, connectionId)
    const config = await this.#configs.get(key, () => this.#loadConfig(tenant, connectionId), configUsableUntil)
    if (!config.direct) return this.proxy(tenant, connectionId, asRequestInit(call))
    const response = await this.#fetch(buildApiRequest(config, call))
    if (response.status !== 401) return response
    let fresh: DirectApiClientConfig
    try {
      fresh = await this.#refreshConfig(tenant, connectionId, key, config.version)
    } catch (error) {
      await discard(response)
      throw error
    }
    // Nothing newer to try: the API's answer stands.
    if (fresh.direct && fresh.version === config.version) return response
    await discard(response)
    if (!fresh.direct) return this.proxy(tenant, connectionId, asRequestInit(call))
    return this.#fetch(buildApiRequest(fresh, call))
  }

  /** Drops what this client cached for the connection (its token and API client configuration). */
  evict(tenant: string, connectionId: string): void {
    const key = connectionKey(tenant, connectionId)
    this.#tokens.delete(key)
    this.#configs.delete(key)
  }

  /**
   * The connection's API client configuration as Latchkey hands it out, uncached (`fetchApi`
   * caches it and applies it): baseUri, headers with the Authorization, query, the `version`
   * of the credentials and when to ask again; `{ direct: false, reason }` when only Latchkey
   * can send the connector's requests (use `proxy`).
   */
  getApiClientConfig(tenant: string, connectionId: string): Promise<DirectApiClientConfig> {
    return typedErrors(() => this.#rpc.getApiClientConfig(tenant, connectionId))
  }

  /**
   * After the API answered 401 to the configuration of `rejectedVersion`: Latchkey refreshes
   * once (every 401 of that version shares it) and returns the new configuration, or the
   * current one when the credentials changed already. Uncached; `fetchApi` does this itself.
   */
  refreshApiClientConfig(tenant: string, connectionId: string, rejectedVersion: string): Promise<DirectApiClientConfig> {
    return typedErrors(() => this.#rpc.refreshApiClientConfig(tenant, connectionId, rejectedVersion))
  }

  /** What is stored for the connection (token response plus connector fields), refreshed when due, without `refresh_token`. Not cached. */
  getCredentials(tenant: string, connectionId: string): Promise<Record<string, unknown>> {
    return typedErrors(() => this.#rpc.getCredentials(tenant, connectionId))
  }

  /**
   * Calls the connector's API through Latchkey (two hops; `fetchApi` calls it from this
   * isolate): the same path rules, a 401 refreshes once and retries once, a 429 is retried
   * after `Retry-After`, response handlers and OAuth 1.0a signing apply.
   */
  proxy(tenant: string, connectionId: string, request: Request | ApiRequestInit): Promise<Response> {
    return typedErrors(() => this.#rpc.proxy(tenant, connectionId, request))
  }

  /** A one-time URL (valid 10 minutes) that starts the connect flow in the user's browser; pass `connectionId` to reconnect. */
  createConnectUrl(options: ConnectUrlOptions): Promise<ConnectUrl> {
    return typedErrors(() => this.#rpc.createConnectUrl(options))
  }

  /**
   * A client-credentials connection (API key, basic auth, OAuth2 client-credentials grant) from
   * input your application collected: tested before it is stored. Throws `credentials_rejected`
   * when the connector's test refuses it (nothing is stored), `invalid_connection_input`.
   * With `connectionId`, the connection's cached token and configuration are dropped.
   */
  async createConnection(options: CreateConnectionOptions): Promise<ConnectionSummary> {
    const summary = await typedErrors(() => this.#rpc.createConnection(options))
    this.evict(summary.tenant, summary.connectionId)
    return summary
  }

  /**
   * With the user verifier on (USER_VERIFY_URL): confirms that your logged-in user, of `tenant`,
   * is finishing the flow `flow` (the `latchkey_flow` parameter of your verify URL). Send the
   * browser to the returned URL. Throws `user_verification_failed` or `user_verification_expired`.
   */
  confirmUserVerification(flow: string, tenant: string): Promise<{ url: string }> {
    return typedErrors(() => this.#rpc.confirmUserVerification(flow, tenant))
  }

  /** The connection's status, errors and times; no secrets. Not cached. */
  getConnection(tenant: string, connectionId: string): Promise<ConnectionSummary> {
    return typedErrors(() => this.#rpc.getConnection(tenant, connectionId))
  }

  /** The tenant's connections. Not cached. */
  listConnections(...args: Parameters<LatchkeyRpc['listConnections']>): ReturnType<LatchkeyRpc['listConnections']> {
    return typedErrors(() => this.#rpc.listConnections(...args)) as ReturnType<LatchkeyRpc['listConnections']>
  }

  /**
   * Every connector compiled into Latchkey, sorted by key, with its readiness: `ready`, or each
   * Worker variable to set or fix. For operators' dashboards and deploy checks. Not cached.
   */
  listConnectors(): Promise<ConnectorReadiness[]> {
    return typedErrors(() => this.#rpc.listConnectors())
  }

  /** Refreshes the credentials now and returns the summary; the connection's cached token and configuration are dropped. */
  async refresh(tenant: string, connectionId: string): Promise<ConnectionSummary> {
    this.evict(tenant, connectionId)
    try {
      return await typedErrors(() => this.#rpc.refresh(tenant, connectionId))
    } finally {
      this.evict(tenant, connectionId)
    }
  }

  /** Runs the connector's test method and returns the summary with `testResult`. */
  testConnection(tenant: string, connectionId: string): Promise<ConnectionSummary> {
    return typedErrors(() => this.#rpc.testConnection(tenant, connectionId))
  }

  /**
   * Runs the connector's disconnect method, then deletes the connection and its credentials.
   * This client forgets the connection at once; other isolates' clients answer from their
   * caches until those expire (at most `cacheTtlMs`).
   */
  async disconnect(tenant: string, connectionId: string): Promise<DisconnectResult> {
    this.evict(tenant, connectionId)
    try {
      return await typedErrors(() => this.#rpc.disconnect(tenant, connectionId))
    } finally {
      this.evict(tenant, connectionId)
    }
  }

  async #loadConfig(tenant: string, connectionId: string): Promise<DirectApiClientConfig> {
    try {
      return Object.freeze(await typedErrors(() => this.#rpc.getApiClientConfig(tenant, connectionId)))
    } catch (error) {
      if (isMissingMethod(error, 'getApiClientConfig')) return { direct: false, reason: 'the Latchkey deployed has no getApiClientConfig: calls go through proxy' }
      throw error
    }
  }

  /**
   * The configuration to retry with after the API refused `rejectedVersion`: one
   * already cached that is newer, else Latchkey's refresh, shared by every 401 of that
   * version in this isolate.
   */
  #refreshConfig(tenant: string, connectionId: string, key: string, rejectedVersion: string): Promise<DirectApiClientConfig> {
    const cached = this.#configs.peek(key)
    if (cached !== undefined && (!cached.direct || cached.version !== rejectedVersion)) return Promise.resolve(cached)
    const load = async (): Promise<DirectApiClientConfig> => Object.freeze(await typedErrors(() => this.#rpc.refreshApiClientConfig(tenant, connectionId, rejectedVersion)))
    if (this.#ttlMs <= 0) return load()
    const flight = `${key}#${rejectedVersion}`
    let refreshing = this.#refreshing.get(flight)
    if (refreshing === undefined) {
      this.#tokens.delete(key)
      refreshing = this.#configs.load(key, load, configUsableUntil).finally(() => this.#refreshing.delete(flight))
      this.#refreshing.set(flight, refreshing)
    }
    return refreshing
  }
}

/**
 * Until when a token may be answered from memory: Latchkey's own refresh time for it
 * (src/connection/connection-record.ts refreshDueAt), REFRESH_MARGIN_MS before expiry or half
 * the remaining lifetime when that is shorter. No expiry: only the cache's TTL bounds it.
 */
export function tokenUsableUntil(token: AccessToken, arrivedAt: number): number {
  if (token.expiresAt === null) return Number.POSITIVE_INFINITY
  const ahead = Math.min(REFRESH_MARGIN_MS, Math.max(0, (token.expiresAt - arrivedAt) / 2))
  return Math.floor(token.expiresAt - ahead)
}

/** Until when a configuration may be used: its `expiresAt` (already Latchkey's refresh time); else only the TTL bounds it. */
export function configUsableUntil(config: DirectApiClientConfig): number {
  return config.direct && config.expiresAt !== null ? config.expiresAt : Number.POSITIVE_INFINITY
}

function asRequestInit(call: ApiCall): ApiRequestInit {
  return { path: call.path, method: call.method, headers: call.headers, body: call.body }
}

/** workerd's answer to a method the receiving entrypoint does not have (a Latchkey older than this client). */
function isMissingMethod(error: unknown, method: string): boolean {
  return error instanceof Error && error.message.includes(`does not implement the method "${method}"`)
}

async function discard(response: Response): Promise<void> {
  if (!response.bodyUsed) await response.body?.cancel()
}
