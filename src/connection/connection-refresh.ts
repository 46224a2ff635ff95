/**
 * The refresh of one connection object's credentials, serialized (S12): at most one token
 * request at a time, shared by every caller that arrives meanwhile, and its result stored
 * before anyone receives it. What to do for a trigger and what to record is decided by
 * refresh-policy.ts; this file does the I/O around those decisions.
 *
 * Every write after an await first checks the credentials' generation (`CredentialVault`):
 * a reconnect or a disconnect during the token request wins over its result.
 */
import { isDiscoveredAuthorization, type DiscoveredAuthorization } from '../discovery/discovered-authorization.ts'
import { isLatchkeyError } from '../errors.ts'
import type { ClientIdentity } from '../registration/client-identity.ts'
import type { Settings } from '../settings.ts'
import { expiresAtOf, type ConnectionRecord } from './connection-record.ts'
import type { ConnectionStorage } from './connection-storage.ts'
import type { CredentialVault } from './credential-vault.ts'
import { connectorOfRecord } from './record-connector.ts'
import { planDiscoveredRefresh, planRefresh, refreshCredentials, type RefreshFailure, type RefreshPlan } from './credential-refresh.ts'
import type { ConnectionEventType } from './events/connection-event.ts'
import {
  decideRefresh,
  decideUnrefreshable,
  failedRefresh,
  isRefreshDue,
  needsReauthError,
  needsReauthRecord,
  refreshStartedRecord,
  refreshedRecord,
  unscheduledRecord,
  wasRefreshInterrupted,
  type RefreshTrigger,
} from './refresh-policy.ts'

type Credentials = Record<string, unknown>

/** What the refresh works with, lent by the connection object. */
export interface RefreshHost {
  storage: ConnectionStorage
  vault: CredentialVault
  settings: Settings
  now: () => number
  /** Reports a lifecycle event (without waiting for delivery). */
  publish(type: ConnectionEventType, record: ConnectionRecord): void
  /** Resolves when the summary pushes of the writes so far were tried (directory-publisher.ts). */
  directorySettled(): Promise<void>
  /**
   * A discovered connection's client with its secret (registration/client-identity.ts
   * `currentClient`); throws `client_registration_changed` when it is no longer Latchkey's client.
   */
  discoveredClient(discovered: DiscoveredAuthorization): Promise<ClientIdentity>
  /** The token endpoint refused a discovered connection's client (invalid_client): its registration is dropped, once; never throws. */
  reportInvalidClient(discovered: DiscoveredAuthorization): Promise<void>
}

/** The single-flight refresh of one connection object. */
export class ConnectionRefresh {
  readonly #host: RefreshHost
  #inFlight: Promise<Credentials> | null = null

  constructor(host: RefreshHost) {
    this.#host = host
  }

  /**
   * Credentials that are not expired, refreshed first when due or `force`d. Never hands out
   * an expired token; after failed refreshes, automatic refreshes wait for the backoff.
   */
  async validCredentials(record: ConnectionRecord, force: boolean): Promise<Credentials> {
    if (record.status === 'needs_reauth') throw needsReauthError(record)
    const credentials = this.#host.vault.require()
    if (force) return this.run({ kind: 'forced' })
    if (isRefreshDue(record, this.#host.now())) return this.run({ kind: 'due' })
    return credentials
  }

  /**
   * Refreshes for `trigger`, or joins the refresh in flight: every caller that arrives while
   * one is in flight (the token request opens the input gate) gets the same promise, which
   * resolves (or rejects) only after the outcome is stored and the tenant directory shows it.
   */
  run(trigger: RefreshTrigger): Promise<Credentials> {
    if (this.#inFlight) return this.#inFlight
    const refresh = this.#refresh(trigger)
      .finally(() => this.#host.directorySettled())
      .finally(() => {
        this.#inFlight = null
      })
    this.#inFlight = refresh
    return refresh
  }

  async #refresh(trigger: RefreshTrigger): Promise<Credentials> {
    const { storage, vault, settings, now } = this.#host
    const record = storage.requireRecord()
    const decision = decideRefresh(record, trigger, now())
    if (decision.action === 'refuse') throw decision.error
    const credentials = vault.require()
    if (decision.action === 'use_current') return credentials
    const generation = vault.generation
    const connector = connectorOfRecord(record)
    const connectionInput = vault.connectionInputOf(record)
    const discovered = record.discovered ?? null
    let plan: RefreshPlan
    if (discovered === null) plan = await planRefresh(connector, settings, connectionInput, credentials)
    else if (!isDiscoveredAuthorization(discovered)) plan = { kind: 'none', reason: 'what discovery found is stored corrupt' }
    else {
      const client = await this.#host.discoveredClient(discovered).catch((error: unknown) => {
        if (isLatchkeyError(error) && error.code === 'client_registration_changed') return error
        throw error
      })
      // The grant belongs to a client Latchkey no longer has: the token is used while valid, then only connecting again helps.
      plan = client instanceof Error ? { kind: 'none', reason: client.message } : planDiscoveredRefresh(discovered, client, credentials)
    }
    if (plan.kind === 'none') return this.#cannotRefresh(trigger, generation, plan.reason)

    const afterInterruption = wasRefreshInterrupted(record)
    this.#writeIfCurrent(generation, (current) => refreshStartedRecord(current, now()))
    const outcome = await refreshCredentials(plan, {
      connector,
      settings,
      connectionInput,
      credentials,
      policy: settings.refreshRetry,
      now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
    })
    if (!outcome.ok) {
      if (discovered !== null && outcome.failure.kind === 'revoked' && outcome.failure.error === 'invalid_client') await this.#host.reportInvalidClient(discovered)
      return this.#refreshFailed(outcome.failure, trigger, generation, credentials, afterInterruption)
    }
    return this.#refreshSucceeded(outcome.credentials, generation)
  }

  /** Stores refreshed credentials, then hands them out (S12: persisted before any caller sees them). */
  async #refreshSucceeded(fresh: Credentials, generation: number): Promise<Credentials> {
    const { storage, vault, now, publish } = this.#host
    const sealed = await vault.seal(fresh, storage.requireRecord().connectionId)
    const record = storage.requireRecord()
    // Reconnected while the token request was in flight: the newer credentials win.
    if (vault.generation !== generation) return vault.require()
    const next = refreshedRecord(record, expiresAtOf(fresh), now())
    // The alarm first: if setting it throws, nothing was written (S18).
    await storage.scheduleRefresh(next.refreshAt)
    storage.write(next, sealed)
    vault.replace(fresh)
    publish('connection.refreshed', next)
    return fresh
  }

  /** Records a failed refresh (`failedRefresh`); the stored credentials stay as they were. */
  async #refreshFailed(failure: RefreshFailure, trigger: RefreshTrigger, generation: number, credentials: Credentials, afterInterruption: boolean): Promise<Credentials> {
    const { storage, vault, now, publish } = this.#host
    const record = storage.requireRecord()
    if (vault.generation !== generation) return vault.require()
    const failed = failedRefresh(record, failure, trigger, now(), afterInterruption)
    storage.write(failed.record)
    await storage.scheduleRefresh(failed.record.refreshAt)
    publish(failed.event, failed.record)
    if (failed.useCurrent) return credentials
    throw failed.error
  }

  /** No way to refresh (noRefreshToken, or no refresh token issued): `decideUnrefreshable`. */
  async #cannotRefresh(trigger: RefreshTrigger, generation: number, reason: string): Promise<Credentials> {
    const { storage, vault, now, publish } = this.#host
    const credentials = vault.require()
    const at = now()
    const decision = decideUnrefreshable(storage.requireRecord(), trigger, reason, at)
    switch (decision.action) {
      case 'use_current':
        return credentials
      case 'refuse':
        throw decision.error
      case 'stop_schedule':
        this.#writeIfCurrent(generation, unscheduledRecord)
        await storage.scheduleRefresh(null)
        return credentials
      case 'needs_reauth': {
        const next = this.#writeIfCurrent(generation, (current) => needsReauthRecord(current, decision.error.message, at))
        await storage.scheduleRefresh(null)
        if (next) publish('connection.needs_reauth', next)
        throw decision.error
      }
    }
  }

  /** Writes `update(record)` unless credentials changed since `generation`; returns what was written. */
  #writeIfCurrent(generation: number, update: (record: ConnectionRecord) => ConnectionRecord): ConnectionRecord | null {
    const { storage, vault } = this.#host
    const record = storage.readRecord()
    if (record === null || vault.generation !== generation) return null
    const next = update(record)
    storage.write(next)
    return next
  }
}
