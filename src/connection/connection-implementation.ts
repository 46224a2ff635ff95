/**
 * Everything a connection object does, behind the thin RPC class in connection-object.ts:
 * storing authorized credentials (sealed, S13), handing out valid ones, refreshing them one
 * at a time (S12), proxying API calls, running the connector's test and disconnecting.
 *
 * Concurrency: workerd lets other calls in while this object awaits I/O (the token request).
 * Refreshes therefore share one in-flight promise, and every write after an await first
 * checks that the connection was not deleted or reconnected meanwhile (`#generation`).
 */
import { LatchkeyError, isLatchkeyError, type ErrorCode } from '../errors.ts'
import { connectionEvent, type ConnectionEventType } from '../events/connection-event.ts'
import { isConnectionId } from '../flow/connection-id.ts'
import { deliverEvent, readEventDestinations } from '../events/deliver-event.ts'
import { readConnectorParameters } from '../registry/connector-parameters.ts'
import { findConnector, getConnector, hasMethod, runMethod } from '../registry/registry.ts'
import type { CompiledConnector } from '../registry/types.ts'
import { createApiClient } from './api-client.ts'
import { resolveApiClient, type ResolvedApiClient } from './api-client-config.ts'
import type { ApiCall } from './api-request.ts'
import {
  expiresAtOf,
  isExpired,
  refreshDueAt,
  retryLaterAt,
  toSummary,
  type ConnectionRecord,
  type ConnectionSummary,
  type ConnectionTestResult,
} from './connection-record.ts'
import { ConnectionStorage } from './connection-storage.ts'
import { openCredentials, readCredentialKeyring, sealCredentials, type CredentialKeyring } from './credential-encryption.ts'
import { planRefresh, refreshCredentials, type RefreshFailure } from './credential-refresh.ts'
import { readRateLimitPolicy, readRetryPolicy } from './retry-policy.ts'
import { sendApiCall, type ApiCallContext } from './send-api-call.ts'
import { tenantDirectory } from './tenant-directory.ts'

/** What the OAuth flow stores after a successful code exchange (contract in the team brief). */
export interface AuthorizedConnectionInput {
  connectionId: string
  connectorKey: string
  tenant: string
  connectionInput: Record<string, unknown>
  credentials: Record<string, unknown>
}

/** A valid access token and when it expires (ms since epoch; `null` = unknown). */
export interface AccessToken {
  accessToken: string
  expiresAt: number | null
}

/** What `disconnect` did: the connection is deleted in every case. */
export interface DisconnectResult {
  connectionId: string
  /** The connector's disconnect method (e.g. token revocation): not present, ran, or threw. */
  connectorDisconnect: 'absent' | 'succeeded' | 'failed'
}

/** Why a refresh is attempted; decides whether it is still needed once it is this call's turn. */
type RefreshTrigger =
  | { kind: 'due' }
  | { kind: 'forced' }
  /** The API answered 401 to these credentials. */
  | { kind: 'unauthorized'; rejected: Record<string, unknown> }

type Credentials = Record<string, unknown>

const MAX_TENANT_LENGTH = 256
/** The codes a failed refresh records; a successful refresh clears them. */
const REFRESH_ERROR_CODES = new Set(['refresh_failed', 'upstream_unavailable', 'rate_limited'])

/** The private implementation of `ConnectionObject`. */
export class ConnectionImplementation {
  readonly #ctx: DurableObjectState
  readonly #env: Env
  readonly #storage: ConnectionStorage
  #keyring: Promise<CredentialKeyring> | null = null
  #loading: Promise<void> | null = null
  /** Decrypted credentials of the stored connection; `null` when there is none. */
  #credentials: Credentials | null = null
  /** Bumped whenever credentials are replaced or deleted; a refresh that started earlier must not write. */
  #generation = 0
  /**
   * Bumped when the user's authorization is replaced or deleted (reconnect, disconnect), not by
   * refreshes: a test that started earlier (and may itself have refreshed) must not record its result.
   */
  #authorization = 0
  #refreshInFlight: Promise<Credentials> | null = null

  constructor(ctx: DurableObjectState, env: Env) {
    this.#ctx = ctx
    this.#env = env
    this.#storage = new ConnectionStorage(ctx.storage)
  }

  /**
   * Startup (run inside `blockConcurrencyWhile`): migrates storage and decrypts the
   * credentials once. A failure is kept out of `blockConcurrencyWhile` (which would reset
   * the object) and rethrown to callers, and the next call tries again.
   */
  async start(): Promise<void> {
    await this.#ready().catch(() => undefined)
  }

  /** Creates the connection, or replaces its credentials on reconnect (same tenant and connector only). */
  async storeAuthorizedConnection(input: AuthorizedConnectionInput): Promise<ConnectionSummary> {
    await this.#ready()
    const checked = validateAuthorizedConnection(input)
    this.#checkReplaceable(checked)
    const keyring = await this.#getKeyring()
    const sealed = await sealCredentials(checked.credentials, keyring, checked.connectionId)
    const existing = this.#checkReplaceable(checked)

    const now = Date.now()
    const expiresAt = expiresAtOf(checked.credentials)
    const record: ConnectionRecord = {
      connectionId: checked.connectionId,
      connectorKey: checked.connectorKey,
      tenant: checked.tenant,
      connectionInput: checked.connectionInput,
      status: 'connected',
      lastError: null,
      testResult: null,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      lastRefreshedAt: null,
      expiresAt,
      refreshAt: refreshDueAt(expiresAt, now),
      refreshStartedAt: null,
      refreshNotBefore: null,
      consecutiveRefreshFailures: 0,
    }
    // The alarm first: if anything here throws, nothing was written (S18).
    await this.#storage.scheduleRefresh(record.refreshAt)
    this.#storage.write(record, sealed)
    this.#replaceCredentials(checked.credentials)
    this.#authorization += 1
    await tenantDirectory(this.#env, record.tenant).addConnection({
      connectionId: record.connectionId,
      connectorKey: record.connectorKey,
      createdAt: record.createdAt,
    })
    this.#publish(existing ? 'connection.reconnected' : 'connection.created', record)
    return toSummary(record)
  }

  /** The summary, or `null` when this object holds no connection. */
  async getSummary(): Promise<ConnectionSummary | null> {
    await this.#ready()
    const record = this.#storage.readRecord()
    return record === null ? null : toSummary(record)
  }

  /** The summary if the connection belongs to `tenant`; `connection_not_found` otherwise. */
  async getSummaryFor(tenant: string): Promise<ConnectionSummary> {
    await this.#ready()
    return toSummary(this.#requireRecord(tenant))
  }

  /** What the user entered when connecting (a reconnect starts from it). */
  async getConnectionInput(tenant: string): Promise<Record<string, unknown>> {
    await this.#ready()
    return this.#requireRecord(tenant).connectionInput
  }

  /**
   * Runs the connector's `test` with valid credentials (refreshed first if due) and the
   * evaluated makeApiClient as `apiClient`, and records the outcome. A failed test makes
   * the status `error` (a `needs_reauth` status stays until the user reconnects).
   */
  async runConnectionTest(tenant?: string): Promise<ConnectionSummary> {
    await this.#ready()
    const record = this.#requireRecord(tenant)
    const authorization = this.#authorization
    const testResult = await this.#runTest(record)
    const current = this.#requireRecord(tenant)
    if (this.#authorization !== authorization) return toSummary(current)

    const next: ConnectionRecord = { ...current, testResult, updatedAt: Date.now() }
    if (testResult.ok && current.status === 'error' && !REFRESH_ERROR_CODES.has(current.lastError?.code ?? '')) {
      next.status = 'connected'
      next.lastError = null
    } else if (!testResult.ok && current.status !== 'needs_reauth') {
      next.status = 'error'
      next.lastError = { code: testResult.code ?? 'connection_test_failed', message: testResult.message ?? 'The connection test failed.' }
    }
    this.#storage.write(next)
    return toSummary(next)
  }

  /** A valid access token, refreshed first when due (or when `forceRefresh`). */
  async getAccessToken(tenant: string, options: { forceRefresh?: boolean } = {}): Promise<AccessToken> {
    await this.#ready()
    const credentials = await this.#validCredentials(this.#requireRecord(tenant), options.forceRefresh === true)
    const accessToken = credentials['access_token']
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new LatchkeyError('invalid_request', 'This connection stores no access_token (its connector shapes credentials differently): use getCredentials.')
    }
    return { accessToken, expiresAt: expiresAtOf(credentials) }
  }

  /**
   * The stored credentials, refreshed first when due, without `refresh_token`: a caller that
   * refreshed on its own would bypass the single flight, and with rotation get the grant
   * revoked (S12). Refreshing is Latchkey's job (`refresh`).
   */
  async getCredentials(tenant: string): Promise<Credentials> {
    await this.#ready()
    const { refresh_token: _kept, ...credentials } = await this.#validCredentials(this.#requireRecord(tenant), false)
    return credentials
  }

  /** Refreshes now (shared with a refresh already in flight) and returns the summary. */
  async refresh(tenant: string): Promise<ConnectionSummary> {
    await this.#ready()
    await this.#validCredentials(this.#requireRecord(tenant), true)
    return toSummary(this.#requireRecord(tenant))
  }

  /**
   * Sends `call` to the connector's API with the connection's authentication, through the same
   * engine as the API client connector methods get (send-api-call.ts): a 401 (or a response
   * handler's access_token_expired) refreshes once and resends, a 429 is retried with backoff,
   * and the last answer, redirects included, goes back to the caller as it is.
   */
  async proxy(tenant: string, call: ApiCall): Promise<Response> {
    await this.#ready()
    const record = this.#requireRecord(tenant)
    const connector = getConnector(record.connectorKey)
    const credentials = await this.#validCredentials(record, false)
    // Only the connector's own code may leave baseUri: a caller's flag is not trusted.
    const exchange = await sendApiCall({ ...call, trusted: false }, 'stream', this.#apiCallContext(connector, record, credentials, null))
    return exchange.response
  }

  /**
   * Runs the connector's disconnect method (best effort: a failure does not keep the
   * connection), then deletes credentials, record and alarm, and leaves the tenant directory.
   */
  async disconnect(tenant: string): Promise<DisconnectResult> {
    await this.#ready()
    const record = this.#requireRecord(tenant)
    const connectorDisconnect = await this.#runDisconnectMethod(record)
    const current = this.#requireRecord(tenant)
    await this.#storage.deleteAll()
    this.#replaceCredentials(null)
    this.#authorization += 1
    await tenantDirectory(this.#env, current.tenant).removeConnection(current.connectionId)
    this.#publish('connection.deleted', current)
    return { connectionId: current.connectionId, connectorDisconnect }
  }

  /**
   * The refresh alarm. Idempotent (alarms are at-least-once): it refreshes only when the
   * record says a refresh is due, then points the alarm at the next due time. Failures are
   * recorded and rescheduled by the refresh itself, so nothing is thrown back to workerd.
   */
  async alarm(): Promise<void> {
    await this.#ready()
    const record = this.#storage.readRecord()
    if (record === null) return
    if (record.status !== 'needs_reauth') {
      try {
        await this.#refreshSingleFlight({ kind: 'due' })
      } catch (error) {
        if (!isLatchkeyError(error)) throw error
      }
    }
    const current = this.#storage.readRecord()
    if (current !== null) await this.#storage.scheduleRefresh(current.status === 'needs_reauth' ? null : current.refreshAt)
  }

  #ready(): Promise<void> {
    this.#loading ??= this.#load().catch((error: unknown) => {
      this.#loading = null
      throw error
    })
    return this.#loading
  }

  async #load(): Promise<void> {
    this.#storage.migrate()
    const record = this.#storage.readRecord()
    const sealed = this.#storage.readSealedCredentials()
    if (record === null || sealed === null) return
    const keyring = await this.#getKeyring()
    const credentials = await openCredentials(sealed, keyring, record.connectionId)
    // Key rotation: data sealed with an older kid is rewritten with the current one.
    if (sealed.kid !== keyring.currentKid) this.#storage.write(record, await sealCredentials(credentials, keyring, record.connectionId))
    this.#credentials = credentials
  }

  #getKeyring(): Promise<CredentialKeyring> {
    this.#keyring ??= readCredentialKeyring(this.#env).catch((error: unknown) => {
      this.#keyring = null
      throw error
    })
    return this.#keyring
  }

  #requireRecord(tenant?: string): ConnectionRecord {
    const record = this.#storage.readRecord()
    // Another tenant's connection looks exactly like a missing one.
    if (record === null || (tenant !== undefined && record.tenant !== tenant)) {
      throw new LatchkeyError('connection_not_found', 'No connection with this id exists for this tenant.')
    }
    return record
  }

  #requireCredentials(): Credentials {
    if (this.#credentials === null) throw new LatchkeyError('internal_error', 'The connection has no stored credentials: the user must reconnect.')
    return this.#credentials
  }

  #replaceCredentials(credentials: Credentials | null): void {
    this.#credentials = credentials
    this.#generation += 1
  }

  #checkReplaceable(input: AuthorizedConnectionInput): ConnectionRecord | null {
    const existing = this.#storage.readRecord()
    if (existing === null) return null
    if (existing.tenant !== input.tenant || existing.connectionId !== input.connectionId) {
      throw new LatchkeyError('connection_not_found', 'No connection with this id exists for this tenant.')
    }
    if (existing.connectorKey !== input.connectorKey) {
      throw new LatchkeyError('invalid_request', `Connection ${existing.connectionId} belongs to connector "${existing.connectorKey}": reconnect it with that connector.`)
    }
    return existing
  }

  /**
   * Credentials that are not expired, refreshing when due or forced. Never hands out an expired
   * token; after failed refreshes, automatic refreshes wait for the backoff (`#refresh`).
   */
  async #validCredentials(record: ConnectionRecord, force: boolean): Promise<Credentials> {
    if (record.status === 'needs_reauth') throw needsReauth(record)
    const credentials = this.#requireCredentials()
    const now = Date.now()
    if (force) return this.#refreshSingleFlight({ kind: 'forced' })
    if ((record.refreshAt !== null && now >= record.refreshAt) || isExpired(record.expiresAt, now)) return this.#refreshSingleFlight({ kind: 'due' })
    return credentials
  }

  /**
   * S12: at most one refresh per connection at a time. Every caller that arrives while one
   * is in flight (the token request opens the input gate) gets the same promise, which
   * resolves only after the new credentials are stored.
   */
  #refreshSingleFlight(trigger: RefreshTrigger): Promise<Credentials> {
    if (this.#refreshInFlight) return this.#refreshInFlight
    const refresh = this.#refresh(trigger).finally(() => {
      this.#refreshInFlight = null
    })
    this.#refreshInFlight = refresh
    return refresh
  }

  async #refresh(trigger: RefreshTrigger): Promise<Credentials> {
    const record = this.#requireRecord()
    if (record.status === 'needs_reauth') throw needsReauth(record)
    const credentials = this.#requireCredentials()
    const generation = this.#generation
    const now = Date.now()
    const stillValid = !isExpired(record.expiresAt, now)
    // Another call may have refreshed since this one decided to.
    if (trigger.kind === 'due' && stillValid && (record.refreshAt === null || now < record.refreshAt)) return credentials
    if (trigger.kind === 'unauthorized' && trigger.rejected !== credentials) return credentials
    if (record.refreshNotBefore !== null && now < record.refreshNotBefore) {
      if (trigger.kind === 'due' && stillValid) return credentials
      throw new LatchkeyError('rate_limited', `The token endpoint asked Latchkey to wait until ${new Date(record.refreshNotBefore).toISOString()} before refreshing again: retry after that.`)
    }
    // S12 no hammering: after a failed refresh, only the alarm (at refreshAt) or an explicit
    // refresh tries again; meanwhile automatic callers get the last refresh error.
    if (trigger.kind !== 'forced' && record.consecutiveRefreshFailures > 0 && record.refreshAt !== null && now < record.refreshAt) {
      if (trigger.kind === 'due' && stillValid) return credentials
      throw lastRefreshError(record)
    }

    const connector = getConnector(record.connectorKey)
    const plan = await planRefresh(connector, this.#env, record.connectionInput, credentials)
    if (plan.kind === 'none') return this.#cannotRefresh(trigger, generation, plan.reason)

    this.#writeIfCurrent(generation, (current) => ({ ...current, refreshStartedAt: now }))
    const outcome = await refreshCredentials(plan, {
      connector,
      env: this.#env,
      connectionInput: record.connectionInput,
      credentials,
      policy: readRetryPolicy(this.#env),
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
    })
    if (!outcome.ok) return this.#refreshFailed(outcome.failure, trigger, generation, credentials)
    return this.#refreshSucceeded(outcome.credentials, generation)
  }

  /** Stores refreshed credentials, then hands them out (S12: persisted before any caller sees them). */
  async #refreshSucceeded(fresh: Credentials, generation: number): Promise<Credentials> {
    const sealed = await sealCredentials(fresh, await this.#getKeyring(), this.#requireRecord().connectionId)
    const record = this.#requireRecord()
    // Reconnected while the token request was in flight: the newer credentials win.
    if (this.#generation !== generation) return this.#requireCredentials()
    const now = Date.now()
    const expiresAt = expiresAtOf(fresh)
    const clearsError = record.lastError !== null && REFRESH_ERROR_CODES.has(record.lastError.code)
    const next: ConnectionRecord = {
      ...record,
      status: clearsError && record.status === 'error' ? 'connected' : record.status,
      lastError: clearsError ? null : record.lastError,
      updatedAt: now,
      lastRefreshedAt: now,
      expiresAt,
      refreshAt: refreshDueAt(expiresAt, now),
      refreshStartedAt: null,
      refreshNotBefore: null,
      consecutiveRefreshFailures: 0,
    }
    // The alarm first: if setting it throws, nothing was written (S18).
    await this.#storage.scheduleRefresh(next.refreshAt)
    this.#storage.write(next, sealed)
    this.#replaceCredentials(fresh)
    this.#publish('connection.refreshed', next)
    return fresh
  }

  /**
   * Records a failed refresh; the stored credentials stay as they were. A revoked grant
   * makes the connection `needs_reauth` and stops automatic attempts; other failures are
   * retried later (alarm) with growing gaps. Callers get the typed error, except that a
   * refresh ahead of expiry still hands out the token while it is valid.
   */
  async #refreshFailed(failure: RefreshFailure, trigger: RefreshTrigger, generation: number, credentials: Credentials): Promise<Credentials> {
    const record = this.#requireRecord()
    if (this.#generation !== generation) return this.#requireCredentials()
    const now = Date.now()
    if (failure.kind === 'revoked') {
      const message = `The token endpoint answered ${failure.error} to the refresh: the user must connect again.`
      const next: ConnectionRecord = { ...record, status: 'needs_reauth', lastError: { code: 'needs_reauth', message }, updatedAt: now, refreshAt: null, refreshStartedAt: null }
      this.#storage.write(next)
      await this.#storage.scheduleRefresh(null)
      this.#publish('connection.needs_reauth', next)
      throw new LatchkeyError('needs_reauth', message)
    }
    const code = failure.kind === 'transient' ? failure.code : 'refresh_failed'
    const message = `Refreshing the credentials failed: ${failure.detail.replace(/\.$/, '')}. The stored credentials are unchanged; Latchkey retries later.`
    const failures = record.consecutiveRefreshFailures + 1
    const notBefore = failure.kind === 'transient' && failure.notBeforeMs !== null ? now + failure.notBeforeMs : null
    const next: ConnectionRecord = {
      ...record,
      status: failure.kind === 'rejected' ? 'error' : record.status,
      lastError: { code, message },
      updatedAt: now,
      refreshAt: retryLaterAt(failures, notBefore, now),
      refreshStartedAt: null,
      refreshNotBefore: notBefore,
      consecutiveRefreshFailures: failures,
    }
    this.#storage.write(next)
    await this.#storage.scheduleRefresh(next.refreshAt)
    this.#publish('connection.refresh_failed', next)
    if (trigger.kind === 'due' && !isExpired(record.expiresAt, now)) return credentials
    throw new LatchkeyError(code, message)
  }

  /** No way to refresh (noRefreshToken, or no refresh token issued). */
  async #cannotRefresh(trigger: RefreshTrigger, generation: number, reason: string): Promise<Credentials> {
    const credentials = this.#requireCredentials()
    // The API said 401 and nothing can be done here: the caller gets that 401.
    if (trigger.kind === 'unauthorized') return credentials
    if (trigger.kind === 'forced') throw new LatchkeyError('refresh_failed', `This connection cannot be refreshed (${reason}): reconnect it to get new credentials.`)
    const record = this.#requireRecord()
    const now = Date.now()
    if (!isExpired(record.expiresAt, now)) {
      this.#writeIfCurrent(generation, (current) => ({ ...current, refreshAt: null }))
      await this.#storage.scheduleRefresh(null)
      return credentials
    }
    const message = `The access token expired and this connection cannot be refreshed (${reason}): the user must connect again.`
    const next = this.#writeIfCurrent(generation, (current) => ({ ...current, status: 'needs_reauth', lastError: { code: 'needs_reauth', message }, updatedAt: now, refreshAt: null }))
    await this.#storage.scheduleRefresh(null)
    if (next) this.#publish('connection.needs_reauth', next)
    throw new LatchkeyError('needs_reauth', message)
  }

  /** Writes `update(record)` unless credentials changed since `generation`; returns what was written. */
  #writeIfCurrent(generation: number, update: (record: ConnectionRecord) => ConnectionRecord): ConnectionRecord | null {
    const record = this.#storage.readRecord()
    if (record === null || this.#generation !== generation) return null
    const next = update(record)
    this.#storage.write(next)
    return next
  }

  /**
   * What the API client engine needs for calls of this connection: makeApiClient per set of
   * credentials (the first one already resolved when `resolved` is given), the single-flight
   * refresh, and the defunct transition.
   */
  #apiCallContext(connector: CompiledConnector, record: ConnectionRecord, credentials: Credentials, resolved: ResolvedApiClient | null): ApiCallContext {
    let known = resolved === null ? null : { credentials, resolved }
    return {
      credentials,
      resolve: async (current) => {
        if (known?.credentials === current) return known.resolved
        known = { credentials: current, resolved: await resolveApiClient(connector, this.#env, current, record.connectionInput) }
        return known.resolved
      },
      refresh: (rejected) => this.#refreshSingleFlight({ kind: 'unauthorized', rejected }),
      markDefunct: () => this.#markDefunct(),
      rateLimit: readRateLimitPolicy(this.#env),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      now: Date.now,
    }
  }

  /**
   * The API client object for a connector method (test, disconnect): a ready client from a
   * JavaScript makeApiClient as it is, otherwise Membrane's client over the engine.
   */
  async #methodApiClient(connector: CompiledConnector, record: ConnectionRecord, credentials: Credentials): Promise<object> {
    const resolved = await resolveApiClient(connector, this.#env, credentials, record.connectionInput)
    if (resolved.kind === 'client') return resolved.client
    const context = this.#apiCallContext(connector, record, credentials, resolved)
    const { headers, auth } = resolved.config
    const secrets = [...secretValues(credentials), headers['Authorization'] ?? '', auth?.password ?? '']
    return createApiClient(resolved.config, (call) => sendApiCall(call, 'data', context), secrets)
  }

  /** A response handler said `connection_is_defunct`: only the user can repair it. */
  async #markDefunct(): Promise<void> {
    const record = this.#storage.readRecord()
    if (record === null || record.status === 'needs_reauth') return
    const message = 'The API reports that this connection is defunct (connection_is_defunct): the user must connect again.'
    const next: ConnectionRecord = { ...record, status: 'needs_reauth', lastError: { code: 'needs_reauth', message }, updatedAt: Date.now(), refreshAt: null }
    this.#storage.write(next)
    await this.#storage.scheduleRefresh(null)
    this.#publish('connection.needs_reauth', next)
  }

  async #runTest(record: ConnectionRecord): Promise<ConnectionTestResult> {
    try {
      const connector = getConnector(record.connectorKey)
      // Real exported specs may have no test (the build warns): nothing to check.
      if (!hasMethod(connector, 'test')) return { ok: true, at: Date.now() }
      const credentials = await this.#validCredentials(record, false)
      const apiClient = await this.#methodApiClient(connector, record, credentials)
      const passed = await runMethod(connector, 'test', {
        credentials,
        apiClient,
        externalApiClient: apiClient,
        connectorParameters: readConnectorParameters(connector, this.#env),
        connectionParameters: record.connectionInput,
        connectionInput: record.connectionInput,
      })
      if (passed) return { ok: true, at: Date.now() }
      return { ok: false, code: 'connection_test_failed', message: `The test of connector "${connector.key}" returned a falsy value.`, at: Date.now() }
    } catch (error) {
      if (!isLatchkeyError(error)) throw error
      return { ok: false, code: error.code, message: error.message, at: Date.now() }
    }
  }

  async #runDisconnectMethod(record: ConnectionRecord): Promise<DisconnectResult['connectorDisconnect']> {
    const connector = findConnector(record.connectorKey)
    const credentials = this.#credentials
    if (!connector || !hasMethod(connector, 'disconnect') || credentials === null) return 'absent'
    try {
      const apiClient = await this.#methodApiClient(connector, record, credentials)
      await runMethod(connector, 'disconnect', {
        apiClient,
        externalApiClient: apiClient,
        connectorParameters: readConnectorParameters(connector, this.#env),
        connectionParameters: record.connectionInput,
        connectionInput: record.connectionInput,
        credentials,
      })
      return 'succeeded'
    } catch (error) {
      if (!isLatchkeyError(error)) throw error
      console.warn(`latchkey: disconnect method of connector "${connector.key}" failed (${error.code}); deleting the connection anyway.`)
      return 'failed'
    }
  }

  /** Hands the event to delivery without waiting: it must never slow down or fail the operation. */
  #publish(type: ConnectionEventType, record: ConnectionRecord): void {
    const now = Date.now()
    this.#ctx.waitUntil(deliverEvent(readEventDestinations(this.#env), connectionEvent(type, record, now), now))
  }
}

/** The error of the last failed refresh, as it was reported then. */
function lastRefreshError(record: ConnectionRecord): LatchkeyError {
  const last = record.lastError
  if (last !== null && REFRESH_ERROR_CODES.has(last.code)) return new LatchkeyError(last.code as ErrorCode, last.message)
  return new LatchkeyError('refresh_failed', `Refreshing the credentials failed; Latchkey tries again at ${new Date(record.refreshAt ?? Date.now()).toISOString()}.`)
}

function needsReauth(record: ConnectionRecord): LatchkeyError {
  return new LatchkeyError('needs_reauth', record.lastError?.message ?? 'This connection needs the user to connect again.')
}

/** Checks what the flow passes in (it crossed RPC: treat it as input). */
function validateAuthorizedConnection(input: AuthorizedConnectionInput): AuthorizedConnectionInput {
  const invalid = (message: string): LatchkeyError => new LatchkeyError('invalid_request', `storeAuthorizedConnection: ${message}`)
  if (typeof input !== 'object' || input === null) throw invalid('pass an object.')
  const { connectionId, connectorKey, tenant, connectionInput, credentials } = input
  if (typeof connectionId !== 'string' || !isConnectionId(connectionId)) throw invalid('connectionId must be "conn_" followed by 26 base32 characters.')
  if (typeof tenant !== 'string' || tenant === '' || tenant.length > MAX_TENANT_LENGTH) throw invalid(`tenant must be a non-empty string of at most ${MAX_TENANT_LENGTH} characters.`)
  if (typeof connectorKey !== 'string') throw invalid('connectorKey must be a string.')
  getConnector(connectorKey)
  if (!isRecord(connectionInput)) throw invalid('connectionInput must be an object.')
  if (!isRecord(credentials)) throw invalid('credentials must be an object.')
  return { connectionId, connectorKey, tenant, connectionInput, credentials }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** String values of the credentials long enough to be tokens or secrets, to mask in API client errors. */
function secretValues(credentials: Credentials): string[] {
  return Object.values(credentials).filter((value): value is string => typeof value === 'string' && value.length >= 8)
}
