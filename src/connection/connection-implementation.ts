/**
 * Everything a connection object does, behind the thin RPC class in connection-object.ts:
 * storing authorized credentials (sealed, S13), handing out valid ones, refreshing them one
 * at a time (S12), proxying API calls, running the connector's test and disconnecting.
 *
 * This file is the orchestration of each operation: storage, events, the tenant directory.
 * Refreshes are serialized by connection-refresh.ts, connector code runs through
 * connection-api-access.ts, and what to record is decided by the pure functions of
 * refresh-policy.ts, with the time from this object's clock (`now`, injectable for tests).
 *
 * Concurrency: workerd lets other calls in while this object awaits I/O (the token request).
 * A write after an await first checks that the connection was not deleted or reconnected
 * meanwhile (the vault's generation, `#authorization` for test results).
 */
import { LatchkeyError, isLatchkeyError } from '../errors.ts'
import { connectorContext } from '../registry/connector-context.ts'
import { getConnector } from '../registry/registry.ts'
import { readSettings, type Settings } from '../settings.ts'
import type { ApiCall } from './api-request.ts'
import { checkReplaceable, validateAuthorizedConnection, type AuthorizedConnectionInput } from './authorized-connection.ts'
import { apiCallContext, runDisconnectMethod, runTestMethod, type ConnectionAccess, type ConnectorDisconnect } from './connection-api-access.ts'
import { expiresAtOf, toSummary, type ConnectionRecord, type ConnectionSummary } from './connection-record.ts'
import { ConnectionRefresh } from './connection-refresh.ts'
import { ConnectionStorage } from './connection-storage.ts'
import { CredentialVault } from './credential-vault.ts'
import { connectionEvent, type ConnectionEventType } from './events/connection-event.ts'
import { deliverEvent, readEventDestinations } from './events/deliver-event.ts'
import { defunctRecord, interruptedRefreshRecord, storedRecord, testedRecord, wasRefreshInterrupted } from './refresh-policy.ts'
import { sendApiCall } from './send-api-call.ts'
import { tenantDirectory } from './tenant-directory.ts'

/** A valid access token and when it expires (ms since epoch; `null` = unknown). */
export interface AccessToken {
  accessToken: string
  expiresAt: number | null
}

/** What `disconnect` did: the connection is deleted in every case. */
export interface DisconnectResult {
  connectionId: string
  /** The connector's disconnect method (e.g. token revocation): not present, ran, or threw. */
  connectorDisconnect: ConnectorDisconnect
}

type Credentials = Record<string, unknown>

/** The private implementation of `ConnectionObject`. */
export class ConnectionImplementation {
  readonly #ctx: DurableObjectState
  readonly #env: Env
  readonly #settings: Settings
  readonly #now: () => number
  readonly #storage: ConnectionStorage
  readonly #vault: CredentialVault
  readonly #refresh: ConnectionRefresh
  #loading: Promise<void> | null = null
  /**
   * Bumped when the user's authorization is replaced or deleted (reconnect, disconnect), not by
   * refreshes: a test that started earlier (and may itself have refreshed) must not record its result.
   */
  #authorization = 0

  /** `now` is the clock every decision and stored time uses (tests may pass their own). */
  constructor(ctx: DurableObjectState, env: Env, now: () => number = () => Date.now()) {
    this.#ctx = ctx
    this.#env = env
    this.#settings = readSettings(env)
    this.#now = now
    this.#storage = new ConnectionStorage(ctx.storage, now)
    this.#vault = new CredentialVault(env)
    this.#refresh = new ConnectionRefresh({
      storage: this.#storage,
      vault: this.#vault,
      settings: this.#settings,
      now,
      publish: (type, record) => this.#publish(type, record),
    })
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
    checkReplaceable(this.#storage.readRecord(), checked)
    const sealed = await this.#vault.seal(checked.credentials, checked.connectionId)
    // Checked again: another call may have stored this connection while sealing.
    const existing = checkReplaceable(this.#storage.readRecord(), checked)
    const record = storedRecord(checked, existing, expiresAtOf(checked.credentials), this.#now())
    // The alarm first: if anything here throws, nothing was written (S18).
    await this.#storage.scheduleRefresh(record.refreshAt)
    this.#storage.write(record, sealed)
    this.#vault.replace(checked.credentials)
    this.#authorization += 1
    const { connectionId, connectorKey, createdAt } = record
    await tenantDirectory(this.#env, record.tenant).addConnection({ connectionId, connectorKey, createdAt })
    this.#publish(existing ? 'connection.reconnected' : 'connection.created', record)
    return toSummary(record)
  }

  /** The summary (no secrets) of the tenant's connection. */
  async getSummary(tenant: string): Promise<ConnectionSummary> {
    await this.#ready()
    return toSummary(this.#storage.requireRecord(tenant))
  }

  /** What the user entered when connecting (a reconnect starts from it). */
  async getConnectionInput(tenant: string): Promise<Record<string, unknown>> {
    await this.#ready()
    return this.#storage.requireRecord(tenant).connectionInput
  }

  /**
   * Runs the connector's `test` with valid credentials (refreshed first if due) and the
   * evaluated makeApiClient as `apiClient`, and records the outcome (`testedRecord`), unless
   * the user reconnected or disconnected meanwhile.
   */
  async testConnection(tenant: string): Promise<ConnectionSummary> {
    await this.#ready()
    const record = this.#storage.requireRecord(tenant)
    const authorization = this.#authorization
    const testResult = await runTestMethod(this.#access(record))
    const current = this.#storage.requireRecord(tenant)
    if (this.#authorization !== authorization) return toSummary(current)
    const next = testedRecord(current, testResult, this.#now())
    this.#storage.write(next)
    return toSummary(next)
  }

  /** A valid access token, refreshed first when due (or when `forceRefresh`). */
  async getAccessToken(tenant: string, options: { forceRefresh?: boolean } = {}): Promise<AccessToken> {
    await this.#ready()
    const credentials = await this.#refresh.validCredentials(this.#storage.requireRecord(tenant), options.forceRefresh === true)
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
    const { refresh_token: _kept, ...credentials } = await this.#refresh.validCredentials(this.#storage.requireRecord(tenant), false)
    return credentials
  }

  /** Refreshes now (shared with a refresh already in flight) and returns the summary. */
  async refresh(tenant: string): Promise<ConnectionSummary> {
    await this.#ready()
    await this.#refresh.validCredentials(this.#storage.requireRecord(tenant), true)
    return toSummary(this.#storage.requireRecord(tenant))
  }

  /**
   * Sends `call` to the connector's API with the connection's authentication, through the same
   * engine as the API client connector methods get (send-api-call.ts): a 401 (or a response
   * handler's access_token_expired) refreshes once and resends, a 429 is retried with backoff,
   * and the last answer, redirects included, goes back to the caller as it is.
   */
  async proxy(tenant: string, call: ApiCall): Promise<Response> {
    await this.#ready()
    const record = this.#storage.requireRecord(tenant)
    const connector = getConnector(record.connectorKey)
    const credentials = await this.#refresh.validCredentials(record, false)
    const context = connectorContext(connector, this.#settings, record.connectionInput)
    // Only the connector's own code may leave baseUri: a caller's flag is not trusted.
    const exchange = await sendApiCall({ ...call, trusted: false }, 'stream', apiCallContext(this.#access(record), connector, context, credentials, null))
    return exchange.response
  }

  /**
   * Runs the connector's disconnect method (best effort: a failure does not keep the
   * connection), then deletes credentials, record and alarm, and leaves the tenant directory.
   */
  async disconnect(tenant: string): Promise<DisconnectResult> {
    await this.#ready()
    const record = this.#storage.requireRecord(tenant)
    const connectorDisconnect = await runDisconnectMethod(this.#access(record), this.#vault.current)
    const current = this.#storage.requireRecord(tenant)
    await this.#storage.deleteAll()
    this.#vault.replace(null)
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
        await this.#refresh.run({ kind: 'due' })
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
    const { credentials, resealed } = await this.#vault.open(sealed, record.connectionId)
    // Key rotation: data sealed with an older kid is rewritten with the current one.
    if (resealed !== null) this.#storage.write(record, resealed)
    this.#vault.replace(credentials)
    // S19: a refresh this object was running when it stopped is retried at once (refresh-policy.ts).
    if (record.status !== 'needs_reauth' && wasRefreshInterrupted(record)) {
      const due = interruptedRefreshRecord(record, this.#now())
      this.#storage.write(due)
      await this.#storage.scheduleRefresh(due.refreshAt)
    }
  }

  /** What connector code running for `record` may use of this object. */
  #access(record: ConnectionRecord): ConnectionAccess {
    return {
      settings: this.#settings,
      record,
      validCredentials: () => this.#refresh.validCredentials(record, false),
      // Compared now, before any await: a refresh since the 401 already replaced them.
      refreshRejected: (rejected) => this.#refresh.run({ kind: 'unauthorized', replaced: rejected !== this.#vault.current }),
      markDefunct: () => this.#markDefunct(),
      now: this.#now,
    }
  }

  /** A response handler said `connection_is_defunct`: only the user can repair it. */
  async #markDefunct(): Promise<void> {
    const record = this.#storage.readRecord()
    const next = record === null ? null : defunctRecord(record, this.#now())
    if (next === null) return
    this.#storage.write(next)
    await this.#storage.scheduleRefresh(null)
    this.#publish('connection.needs_reauth', next)
  }

  /** Hands the event to delivery without waiting: it must never slow down or fail the operation. */
  #publish(type: ConnectionEventType, record: ConnectionRecord): void {
    const now = this.#now()
    this.#ctx.waitUntil(deliverEvent(readEventDestinations(this.#settings), connectionEvent(type, record, now), now))
  }
}
