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
 *
 * One provider account, one connection per tenant: a new connection whose account (from a
 * validated id_token, or what the connector's test returned) the tenant has connected already
 * is not stored here; its credentials go to that connection, as a reconnect (`#handOver`).
 */
import { reconnectScopes, withStepUpScopes, type ReconnectScopes } from '../discovery/discovered-authorization.ts'
import { insufficientScopeOf } from '../discovery/insufficient-scope.ts'
import { LatchkeyError, isLatchkeyError } from '../errors.ts'
import { currentClient } from '../registration/client-identity.ts'
import { reportInvalidClientQuietly } from '../registration/report-invalid-client.ts'
import { connectorContext } from '../registry/connector-context.ts'
import { readSettings, type Settings } from '../settings.ts'
import type { ApiCall } from './api-request.ts'
import { checkReplaceable, validateAuthorizedConnection, type AuthorizedConnectionInput, type CheckedConnectionInput } from './authorized-connection.ts'
import { withoutSecrets, mergeTestedAccount, type ConnectionAccount } from './connection-account.ts'
import {
  apiCallContext,
  connectionSecrets,
  runDisconnectMethod,
  runTestMethod,
  type ConnectionAccess,
  type ConnectorDisconnect,
  type TestOutcome,
} from './connection-api-access.ts'
import { accountOfRecord, expiresAtOf, toSummary, withAccount, type ConnectionRecord, type ConnectionSummary, type ConnectionTestResult } from './connection-record.ts'
import { connectionStub, notFoundAsNull } from './connection-stub.ts'
import { resolveApiClient } from './api-client-config.ts'
import { boundToResource, checkBoundToResource } from './resource-bound-api.ts'
import { credentialsVersion, directApiClientConfig, type DirectApiClientConfig } from './direct-api-config.ts'
import { firstGrant } from './first-grant.ts'
import { connectorOfRecord, findConnectorOfRecord } from './record-connector.ts'
import { ConnectionRefresh } from './connection-refresh.ts'
import { ConnectionStorage } from './connection-storage.ts'
import { CredentialVault } from './credential-vault.ts'
import { connectionEvent, type ConnectionEventType } from './events/connection-event.ts'
import { deliverEvent, readEventDestinations } from './events/deliver-event.ts'
import { defunctRecord, interruptedRefreshRecord, needsReauthError, storedRecord, testedRecord, wasRefreshInterrupted } from './refresh-policy.ts'
import { sendApiCall } from './send-api-call.ts'
import { DirectoryPublisher } from './directory-publisher.ts'
import { tenantDirectory } from './tenant-directory.ts'
import { validateTestedConnectionRequest, type FailedTestHandling, type TestedConnectionRequest } from './tested-connection-request.ts'

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
  /** The tenant directory's copy of the summary, pushed on every change of it (directory-publisher.ts). */
  readonly #directory: DirectoryPublisher
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
    this.#directory = new DirectoryPublisher({ env: this.#env, storage: this.#storage, waitUntil: (promise) => ctx.waitUntil(promise) })
    this.#storage.onSummaryChange(() => this.#directory.schedule())
    this.#vault = new CredentialVault(env)
    this.#refresh = new ConnectionRefresh({
      storage: this.#storage,
      vault: this.#vault,
      settings: this.#settings,
      now,
      publish: (type, record) => this.#publish(type, record),
      directorySettled: () => this.#directory.settled(),
      discoveredClient: (discovered) => currentClient(env, discovered.issuer, discovered.client),
      reportInvalidClient: (discovered) => reportInvalidClientQuietly(env, discovered),
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
    return this.#store(checked, null, null)
  }

  /**
   * The end of every connect flow: tests the credentials and stores them, with the account
   * they act for (`request.account` from a validated id_token, else what the test returned).
   *
   * - A new connection (this object holds none) is tested before anything is stored, and
   *   stored only once the tenant directory said no other connection of the tenant holds its
   *   account (`claimAccount`); otherwise the credentials and the test result go to that
   *   connection (`#handOver`) and its summary is returned: nothing was written here, so no
   *   second connection is ever visible, not even half-written. Testing first is why: storing
   *   first and moving the credentials afterwards would show the duplicate in the listing for
   *   a moment, and deleting it then must not run the connector's disconnect method (it could
   *   revoke the very grant that was moved).
   * - A reconnect (this object holds the connection) with `failedTest: 'keep'` (OAuth) stores,
   *   then tests the stored connection, as before accounts existed; with `reject` it tests first.
   *
   * A failing test: `reject` (typed credentials, S22) throws `credentials_rejected` and writes
   * nothing (a new connection does not exist, a reconnected one keeps its old credentials);
   * `keep` stores the connection with status error. The first grant of a connector that
   * refreshes by itself (an OAuth2 client-credentials grant) is made before the test.
   */
  async createTestedConnection(request: TestedConnectionRequest): Promise<ConnectionSummary> {
    await this.#ready()
    const checked = validateTestedConnectionRequest(request)
    const { connection, failedTest, handedOver } = checked
    const existing = checkReplaceable(this.#storage.readRecord(), connection)
    // A holder found by claimAccount that was disconnected before the handover arrived must not
    // come back; one whose own flow has not stored it yet (a concurrent completion) takes it.
    if (existing === null && handedOver !== null && (await tenantDirectory(this.#env, connection.tenant).wasRemoved(connection.connectionId))) {
      throw new LatchkeyError('connection_not_found', 'The connection that held this account was disconnected meanwhile.')
    }
    const account = withoutSecrets(checked.account, secretsOf(connection))
    if (existing !== null && failedTest === 'keep' && handedOver === null) {
      await this.#store(connection, null, account)
      return this.testConnection(connection.tenant)
    }
    const candidate = handedOver === null ? await firstGrant(connection, this.#settings, this.#now) : connection
    const tested: TestOutcome = handedOver === null ? await runTestMethod(this.#candidateAccess(candidate), candidate.connectorKey) : { testResult: handedOver, account: null }
    if (!tested.testResult.ok && failedTest === 'reject') {
      // The test's message may quote the API's answer, which may quote what was typed: only its code travels.
      throw new LatchkeyError('credentials_rejected', `The connector's test refused these credentials (${tested.testResult.code ?? 'connection_test_failed'}): nothing was stored.`)
    }
    const found = account ?? tested.account
    // Only a new connection looks for another holder: a reconnect names its connection itself.
    if (existing === null && handedOver === null && found !== null && found.id !== null) {
      const accountKey = { connectorKey: candidate.connectorKey, authOption: candidate.authOption, accountId: found.id }
      const directory = tenantDirectory(this.#env, candidate.tenant)
      const holder = await directory.claimAccount(accountKey, candidate.connectionId)
      if (holder !== candidate.connectionId) {
        const summary = await this.#handOver(holder, candidate, failedTest, tested.testResult, found).catch(notFoundAsNull)
        if (summary !== null) return summary
        // The holder was disconnected in between, which released the account: claim it once more.
        const next = await directory.claimAccount(accountKey, candidate.connectionId)
        if (next !== candidate.connectionId) return this.#handOver(next, candidate, failedTest, tested.testResult, found)
      }
    }
    return this.#store(candidate, tested.testResult, found)
  }

  /**
   * Gives `holder`, the tenant's connection of the same account, these tested credentials: it
   * stores them as a reconnect (same id, status from this test, `connection.reconnected`).
   * Handed over once: the holder records the request without claiming or handing on again.
   */
  #handOver(
    holder: string,
    candidate: CheckedConnectionInput,
    failedTest: FailedTestHandling,
    testResult: ConnectionTestResult,
    account: ConnectionAccount,
  ): Promise<ConnectionSummary> {
    return connectionStub(this.#env, holder).createTestedConnection({ ...candidate, connectionId: holder, account, failedTest, handedOver: testResult })
  }

  /** Seals and writes `checked` (a new connection or a reconnect), with a test result when it was tested before storing. */
  async #store(checked: CheckedConnectionInput, testResult: ConnectionTestResult | null, account: ConnectionAccount | null): Promise<ConnectionSummary> {
    const sealed = await this.#vault.seal(checked.credentials, checked.connectionId)
    const sealedInput = await this.#vault.sealSecretInput(checked.secretInput, checked.connectionId)
    // Checked again: another call may have stored this connection while sealing.
    const existing = checkReplaceable(this.#storage.readRecord(), checked)
    const stored = storedRecord(checked, existing, expiresAtOf(checked.credentials), this.#now())
    // New credentials may be another account's: the account is the one these name (or none yet).
    const record = withAccount(testResult === null ? stored : testedRecord(stored, testResult, this.#now()), account)
    // The alarm first: if anything here throws, nothing was written (S18).
    await this.#storage.scheduleRefresh(record.refreshAt)
    this.#storage.write(record, sealed, sealedInput)
    this.#vault.replace(checked.credentials, checked.secretInput)
    this.#authorization += 1
    // The write pushed the summary to the tenant directory: in it before this call returns.
    await this.#directory.settled()
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
   * The scopes a reconnect of a discovered connection requests besides what the resource asks
   * for: those it asked for and those a step-up asked for since (empty for other connectors).
   */
  async getReconnectScopes(tenant: string): Promise<ReconnectScopes | null> {
    await this.#ready()
    const { discovered } = this.#storage.requireRecord(tenant)
    return discovered ? reconnectScopes(discovered) : null
  }

  /**
   * Runs the connector's `test` with valid credentials (refreshed first if due) and the
   * evaluated makeApiClient as `apiClient`, and records the outcome (`testedRecord`) and the
   * account an object result names (`mergeTestedAccount`), unless the user reconnected or
   * disconnected meanwhile.
   */
  async testConnection(tenant: string): Promise<ConnectionSummary> {
    await this.#ready()
    const record = this.#storage.requireRecord(tenant)
    const authorization = this.#authorization
    const { testResult, account } = await runTestMethod(this.#access(record), record.connectorKey)
    const current = this.#storage.requireRecord(tenant)
    if (this.#authorization !== authorization) return toSummary(current)
    const next = withAccount(testedRecord(current, testResult, this.#now()), mergeTestedAccount(accountOfRecord(current), account))
    this.#storage.write(next)
    await this.#directory.settled()
    return toSummary(next)
  }

  /**
   * A valid access token, refreshed first when due (or when `forceRefresh`). Only credentials
   * with an `access_token` have one: OAuth2, and client-credentials connectors that fetch a token
   * (a client-credentials grant). An API key is not an access token, and an OAuth 1.0a token is
   * useless without signing: those get `invalid_request` saying what to use.
   */
  async getAccessToken(tenant: string, options: { forceRefresh?: boolean } = {}): Promise<AccessToken> {
    await this.#ready()
    const record = this.#storage.requireRecord(tenant)
    const credentials = await this.#refresh.validCredentials(record, options.forceRefresh === true)
    const accessToken = credentials['access_token']
    if (typeof accessToken !== 'string' || accessToken === '') throw new LatchkeyError('invalid_request', noAccessTokenMessage(findConnectorOfRecord(record)?.auth.type))
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
    const connector = connectorOfRecord(record)
    const credentials = await this.#refresh.validCredentials(record, false)
    const access = this.#access(record)
    const context = connectorContext(connector, this.#settings, access.connectionInput)
    // Only the connector's own code may leave baseUri: a caller's flag is not trusted.
    const calls = apiCallContext(access, connector, context, credentials, null)
    const exchange = await sendApiCall({ ...call, trusted: false }, 'stream', record.discovered ? boundToResource(calls, record.discovered.resource, connector.key) : calls)
    const stepUp = record.discovered ? insufficientScopeOf(exchange.response) : null
    if (stepUp !== null) await this.#stepUpRequired(tenant, record, exchange.response, stepUp)
    return exchange.response
  }

  /**
   * A discovered resource answered 403 insufficient_scope (MCP "Step-Up Authorization Flow"):
   * the scopes it asked for are remembered, so the reconnect the caller starts requests them with
   * the earlier ones, and the caller gets `step_up_required` instead of the 403.
   */
  async #stepUpRequired(tenant: string, called: ConnectionRecord, response: Response, scopes: string[]): Promise<never> {
    await response.body?.cancel()
    const record = this.#storage.requireRecord(tenant)
    // Remembered only for the authorization that was called: a reconnect meanwhile has its own scopes.
    const unchanged = record.discovered && record.discovered === called.discovered ? record.discovered : null
    const next = unchanged ? withStepUpScopes(unchanged, scopes) : null
    if (next && next !== unchanged) this.#storage.write({ ...record, discovered: next })
    const needed = next ? reconnectScopes(next).scopes : scopes
    throw new LatchkeyError(
      'step_up_required',
      `The resource needs more scopes than this connection was granted: reconnect it (createConnectUrl with its connectionId) to request ${needed.join(' ') || 'them'}.`,
    )
  }

  /**
   * The evaluated makeApiClient configuration for the caller's direct proxy (valid credentials,
   * refreshed first when due), or why the caller cannot apply it (direct-api-config.ts).
   */
  async getApiClientConfig(tenant: string): Promise<DirectApiClientConfig> {
    await this.#ready()
    const record = this.#storage.requireRecord(tenant)
    return this.#directConfig(record, await this.#refresh.validCredentials(record, false))
  }

  /**
   * After the API refused the configuration of `rejectedVersion`: one refresh through the single
   * flight (every caller that reports the same version shares it), or none when the credentials
   * changed since (their configuration is returned as it is).
   */
  async refreshApiClientConfig(tenant: string, rejectedVersion: string): Promise<DirectApiClientConfig> {
    await this.#ready()
    const record = this.#storage.requireRecord(tenant)
    if (record.status === 'needs_reauth') throw needsReauthError(record)
    const current = this.#vault.require()
    const replaced = rejectedVersion !== (await credentialsVersion(current))
    const credentials = await this.#refresh.run({ kind: 'unauthorized', replaced: replaced || current !== this.#vault.current })
    return this.#directConfig(this.#storage.requireRecord(tenant), credentials)
  }

  async #directConfig(record: ConnectionRecord, credentials: Credentials): Promise<DirectApiClientConfig> {
    const connector = connectorOfRecord(record)
    const context = connectorContext(connector, this.#settings, this.#vault.connectionInputOf(record))
    const unchecked = await resolveApiClient(connector, this.#settings, context, credentials)
    const resolved = record.discovered ? checkBoundToResource(unchecked, record.discovered.resource, connector.key) : unchecked
    return directApiClientConfig(resolved, connector.auth.type, await credentialsVersion(credentials), record.refreshAt)
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
    await this.#directory.remove(current)
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
    // A summary push a previous instance could not make goes out now (in the background).
    this.#directory.resume()
    const record = this.#storage.readRecord()
    const sealed = this.#storage.readSealedCredentials()
    if (record === null || sealed === null) return
    const { credentials, resealed } = await this.#vault.open(sealed, record.connectionId)
    this.#vault.replace(credentials)
    const sealedInput = this.#storage.readSealedSecretInput()
    const resealedInput = sealedInput === null ? undefined : ((await this.#vault.openSecretInput(sealedInput, record.connectionId)) ?? undefined)
    // Key rotation: data sealed with an older kid is rewritten with the current one.
    if (resealed !== null || resealedInput !== undefined) this.#storage.write(record, resealed ?? undefined, resealedInput)
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
      connector: findConnectorOfRecord(record),
      connectionInput: this.#vault.connectionInputOf(record),
      validCredentials: () => this.#refresh.validCredentials(record, false),
      // Compared now, before any await: a refresh since the 401 already replaced them.
      refreshRejected: (rejected) => this.#refresh.run({ kind: 'unauthorized', replaced: rejected !== this.#vault.current }),
      markDefunct: () => this.#markDefunct(),
      now: this.#now,
    }
  }

  /**
   * What the test of credentials not stored yet may use: those credentials as they are. A 401
   * refreshes nothing (the test fails), and nothing is marked defunct: there is no connection.
   */
  #candidateAccess(candidate: CheckedConnectionInput): ConnectionAccess {
    return {
      settings: this.#settings,
      connector: findConnectorOfRecord(candidate),
      connectionInput: { ...candidate.connectionInput, ...candidate.secretInput },
      validCredentials: async () => candidate.credentials,
      refreshRejected: async (rejected) => rejected,
      markDefunct: async () => undefined,
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
    await this.#directory.settled()
    this.#publish('connection.needs_reauth', next)
  }

  /** Hands the event to delivery without waiting: it must never slow down or fail the operation. */
  #publish(type: ConnectionEventType, record: ConnectionRecord): void {
    const now = this.#now()
    this.#ctx.waitUntil(deliverEvent(readEventDestinations(this.#settings), connectionEvent(type, record, now), now))
  }
}

/**
 * The secrets of credentials not stored yet (connection-api-access.ts `connectionSecrets`), to
 * keep out of the account a flow passed with them (an id_token's). The connector's parameters
 * are left out: reading them can fail for a misconfigured connector, which must end in a
 * failed test as before, and a provider's claims cannot contain a client secret it never saw.
 */
function secretsOf(connection: CheckedConnectionInput): string[] {
  const connector = findConnectorOfRecord(connection)
  if (connector === undefined) return []
  const connectionInput = { ...connection.connectionInput, ...connection.secretInput }
  return connectionSecrets(connector, { connectorParameters: {}, appParameters: {}, connectionInput, connectionParameters: connectionInput }, connection.credentials)
}

/** Why a connection has no access token to hand out, and what to call instead. */
function noAccessTokenMessage(authType: string | undefined): string {
  if (authType === 'oauth1') return 'An OAuth 1.0a connection has no bearer access token: every request must be signed. Call the API through proxy.'
  if (authType === 'client-credentials')
    return 'This connection holds typed credentials (an API key or a password), not an access token: call the API through proxy, or read them with getCredentials.'
  return 'This connection stores no access_token (its connector shapes credentials differently): use getCredentials.'
}
