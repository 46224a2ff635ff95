/**
 * One Durable Object per tenant (`TENANT_DIRECTORIES.idFromName(tenant)`): the index of the
 * tenant's connections behind `listConnections`, with each connection's summary (no secrets),
 * so a page of the listing is one call here and no connection object is called.
 *
 * Each connection object pushes its summary on every change of it (directory-publisher.ts)
 * and waits for the push before its own call returns, so the directory is up to date when
 * that call returns. Pushes carry the record's `createdAt` and a per-connection revision
 * that grows with every change of the summary: a push that is not newer than what is stored
 * (it was overtaken, or retried after a newer one landed) is ignored. A removal leaves a
 * tombstone for an hour, so a push of the removed connection still in flight cannot bring
 * it back. Layout: STORAGE.md.
 *
 * It also indexes the provider accounts of the tenant's connections (connector, auth option,
 * account id -> connection), so that connecting an account the tenant has already connected
 * updates that connection instead of adding a second one: `claimAccount` answers, in one
 * synchronous step (so two completions for the same account cannot both win), which
 * connection holds the account, recording the caller when none does.
 */
import { DurableObject } from 'cloudflare:workers'
import { isConnectionId } from '../connection-id.ts'
import { LatchkeyError } from '../errors.ts'
import { MAX_ACCOUNT_ID_LENGTH } from './connection-account.ts'
import type { ConnectionSummary } from './connection-record.ts'

/** The order of a connection's summaries: the connection's life (`createdAt`), then its revision within that life. */
export interface SummaryVersion {
  createdAt: number
  revision: number
}

/** One connection of the tenant, as stored. */
export interface TenantDirectoryEntry {
  connectionId: string
  connectorKey: string
  createdAt: number
  /** Absent in entries stored before summaries were kept here: the listing asks the connection once and stores it. */
  summary?: ConnectionSummary
  /** The revision of `summary` (0: copied by the listing, older than any push). */
  revision?: number
}

/** A page of the directory, ordered by connection id; `more` when entries follow the last one. */
export interface TenantDirectoryPage {
  /** Each entry's summary, `null` for an entry stored before summaries were kept (lazy migration). */
  entries: Array<{ connectionId: string; summary: ConnectionSummary | null }>
  more: boolean
}

/** What a removal leaves behind, under `removed:<connectionId>`. */
interface Tombstone extends SummaryVersion {
  removedAt: number
}

/** A provider account of the tenant, as the account index names it. */
export interface AccountKey {
  connectorKey: string
  authOption: string | null
  accountId: string
}

/** Who holds an account, under `account:<JSON of [connectorKey, authOption, accountId]>`. */
interface AccountClaim {
  connectionId: string
  /** When the connection claimed it (ms): a claim no summary confirms yet lapses `ACCOUNT_CLAIM_TTL_MS` later. */
  claimedAt: number
}

const ENTRY_PREFIX = 'connection:'
const TOMBSTONE_PREFIX = 'removed:'
/** `removed-at:<removedAt, 13 digits>:<connectionId>`: tombstones in time order, to prune them. */
const TOMBSTONE_TIME_PREFIX = 'removed-at:'

/** How long a removal's tombstone outlives it: far longer than any push can be in flight. */
export const TOMBSTONE_TTL_MS = 60 * 60_000

/** Largest page the directory hands out. */
export const MAX_DIRECTORY_PAGE = 1000

const ACCOUNT_PREFIX = 'account:'

/**
 * How long a claim holds an account before the claiming connection's summary confirms it: far
 * longer than storing takes, so a concurrent completion for the same account waits on it (is
 * handed to it) instead of creating a second connection; a claim whose connection never got
 * stored (the object failed) lapses after it.
 */
export const ACCOUNT_CLAIM_TTL_MS = 10 * 60_000

/** Whether `incoming` is a later summary of the connection than `current`. */
export function isNewerVersion(incoming: SummaryVersion, current: SummaryVersion): boolean {
  return incoming.createdAt > current.createdAt || (incoming.createdAt === current.createdAt && incoming.revision > current.revision)
}

export class TenantDirectory extends DurableObject<Env> {
  /**
   * Stores `summary` as revision `revision` of its connection, unless a newer one (or the
   * connection's removal) is stored already. Returns whether it was stored.
   */
  publishSummary(summary: ConnectionSummary, revision: number): boolean {
    const incoming = { createdAt: summary.createdAt, revision }
    const key = `${ENTRY_PREFIX}${summary.connectionId}`
    const current = this.ctx.storage.kv.get<TenantDirectoryEntry>(key)
    if (current?.summary !== undefined && !isNewerVersion(incoming, { createdAt: current.createdAt, revision: current.revision ?? 0 })) return false
    const tombstone = this.ctx.storage.kv.get<Tombstone>(`${TOMBSTONE_PREFIX}${summary.connectionId}`)
    if (tombstone !== undefined && !isNewerVersion(incoming, tombstone)) return false
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.kv.put(key, entryOf(summary, revision))
      if (tombstone !== undefined) this.#deleteTombstone(summary.connectionId, tombstone)
      this.#indexAccount(current?.summary, summary)
    })
    return true
  }

  /**
   * The connection that holds `account` for this tenant: the one recorded in the account index
   * while it still does (its summary names the account, or it claimed it within
   * `ACCOUNT_CLAIM_TTL_MS` and was not removed), else `connectionId`, which is recorded as the
   * holder. One synchronous read-and-write: of two concurrent claims, the second sees the first.
   */
  claimAccount(account: AccountKey, connectionId: string): string {
    const key = accountStorageKey(checkedAccountKey(account))
    if (typeof connectionId !== 'string' || !isConnectionId(connectionId)) throw new LatchkeyError('invalid_request', 'claimAccount: connectionId must be a connection id.')
    const now = Date.now()
    const claim = this.ctx.storage.kv.get<AccountClaim>(key)
    if (claim !== undefined && claim.connectionId !== connectionId && this.#holds(claim, key, now)) return claim.connectionId
    this.ctx.storage.kv.put(key, { connectionId, claimedAt: now } satisfies AccountClaim)
    return connectionId
  }

  /** Whether `connectionId` was removed lately (its tombstone is kept for `TOMBSTONE_TTL_MS`). */
  wasRemoved(connectionId: string): boolean {
    return typeof connectionId === 'string' && this.ctx.storage.kv.get<Tombstone>(`${TOMBSTONE_PREFIX}${connectionId}`) !== undefined
  }

  /**
   * Removes a connection's entry (idempotent). `version` is the removed connection's last
   * one: pushes up to it arriving later are ignored, and an entry newer than it (the id
   * stored again since, and this removal retried late) stays. Without it (a caller of an
   * older version), the entry is removed whatever it holds.
   */
  removeConnection(connectionId: string, version?: SummaryVersion): void {
    const now = Date.now()
    const key = `${ENTRY_PREFIX}${connectionId}`
    this.ctx.storage.transactionSync(() => {
      const current = this.ctx.storage.kv.get<TenantDirectoryEntry>(key)
      if (version === undefined) {
        this.ctx.storage.kv.delete(key)
        this.#releaseAccount(current?.summary, connectionId)
        return
      }
      if (current?.summary !== undefined && isNewerVersion({ createdAt: current.createdAt, revision: current.revision ?? 0 }, version)) return
      this.ctx.storage.kv.delete(key)
      this.#releaseAccount(current?.summary, connectionId)
      const previous = this.ctx.storage.kv.get<Tombstone>(`${TOMBSTONE_PREFIX}${connectionId}`)
      if (previous !== undefined && !isNewerVersion(version, previous)) return
      if (previous !== undefined) this.#deleteTombstone(connectionId, previous)
      const tombstone: Tombstone = { createdAt: version.createdAt, revision: version.revision, removedAt: now }
      this.ctx.storage.kv.put(`${TOMBSTONE_PREFIX}${connectionId}`, tombstone)
      this.ctx.storage.kv.put(tombstoneTimeKey(now, connectionId), connectionId)
      this.#pruneTombstones(now)
    })
  }

  /** Up to `limit` entries (at most `MAX_DIRECTORY_PAGE`) after connection id `after` (from the first when `null`), ordered by id. */
  listPage(after: string | null, limit: number): TenantDirectoryPage {
    const size = Math.max(1, Math.min(MAX_DIRECTORY_PAGE, Math.floor(limit)))
    const options: SyncKvListOptions = { prefix: ENTRY_PREFIX, limit: size + 1 }
    if (after !== null) options.startAfter = `${ENTRY_PREFIX}${after}`
    const entries = Array.from(this.ctx.storage.kv.list<TenantDirectoryEntry>(options), ([, entry]) => entry)
    // Only what the listing shows crosses the RPC: the summary (and the id an old entry needs).
    return {
      entries: entries.slice(0, size).map((entry) => ({ connectionId: entry.connectionId, summary: entry.summary === undefined ? null : withAccountFields(entry.summary) })),
      more: entries.length > size,
    }
  }

  /**
   * The listing's lazy migration of entries stored before summaries were kept here: stores
   * the summaries it read from the connections (as revision 0, so any push wins) and drops
   * the entries whose connection no longer exists, in both cases only if the entry still
   * has no summary (a push landed meanwhile otherwise).
   */
  backfillSummaries(found: ConnectionSummary[], missing: string[]): void {
    this.ctx.storage.transactionSync(() => {
      for (const summary of found) {
        const key = `${ENTRY_PREFIX}${summary.connectionId}`
        const current = this.ctx.storage.kv.get<TenantDirectoryEntry>(key)
        if (current !== undefined && current.summary === undefined) this.ctx.storage.kv.put(key, entryOf(summary, 0))
      }
      for (const connectionId of missing) {
        const key = `${ENTRY_PREFIX}${connectionId}`
        const current = this.ctx.storage.kv.get<TenantDirectoryEntry>(key)
        if (current !== undefined && current.summary === undefined) this.ctx.storage.kv.delete(key)
      }
    })
  }

  /**
   * Keeps the account index in step with a connection's summary (`previous`: what the
   * directory held before): an account it no longer names is released, and the account it
   * names now is recorded for it unless another connection still holds it.
   */
  #indexAccount(previous: ConnectionSummary | undefined, summary: ConnectionSummary): void {
    const before = previous === undefined ? null : accountKeyOfSummary(previous)
    const after = accountKeyOfSummary(summary)
    if (before !== null && before !== after) this.#releaseAccount(previous, summary.connectionId)
    if (after === null) return
    const now = Date.now()
    const claim = this.ctx.storage.kv.get<AccountClaim>(after)
    if (claim === undefined || (claim.connectionId !== summary.connectionId && !this.#holds(claim, after, now))) {
      this.ctx.storage.kv.put(after, { connectionId: summary.connectionId, claimedAt: now } satisfies AccountClaim)
    }
  }

  /** Drops the index entry of the account `summary` names, if `connectionId` holds it. */
  #releaseAccount(summary: ConnectionSummary | undefined, connectionId: string): void {
    const key = summary === undefined ? null : accountKeyOfSummary(summary)
    if (key === null) return
    if (this.ctx.storage.kv.get<AccountClaim>(key)?.connectionId === connectionId) this.ctx.storage.kv.delete(key)
  }

  /**
   * Whether `claim` (stored under `key`) still holds its account: its connection's summary
   * names the account, or (no summary yet) it was claimed lately and not removed since.
   */
  #holds(claim: AccountClaim, key: string, now: number): boolean {
    const entry = this.ctx.storage.kv.get<TenantDirectoryEntry>(`${ENTRY_PREFIX}${claim.connectionId}`)
    if (entry?.summary !== undefined) return accountKeyOfSummary(entry.summary) === key
    // An entry stored before summaries were kept names no account.
    if (entry !== undefined) return false
    if (this.ctx.storage.kv.get<Tombstone>(`${TOMBSTONE_PREFIX}${claim.connectionId}`) !== undefined) return false
    return now - claim.claimedAt < ACCOUNT_CLAIM_TTL_MS
  }

  #deleteTombstone(connectionId: string, tombstone: Tombstone): void {
    this.ctx.storage.kv.delete(`${TOMBSTONE_PREFIX}${connectionId}`)
    this.ctx.storage.kv.delete(tombstoneTimeKey(tombstone.removedAt, connectionId))
  }

  /** Deletes tombstones older than `TOMBSTONE_TTL_MS` (a bounded batch per removal; removals outnumber nothing else). */
  #pruneTombstones(now: number): void {
    const expired = this.ctx.storage.kv.list<string>({ prefix: TOMBSTONE_TIME_PREFIX, end: tombstoneTimeKey(now - TOMBSTONE_TTL_MS, ''), limit: 100 })
    for (const [key, connectionId] of Array.from(expired)) {
      this.ctx.storage.kv.delete(key)
      this.ctx.storage.kv.delete(`${TOMBSTONE_PREFIX}${connectionId}`)
    }
  }
}

function entryOf(summary: ConnectionSummary, revision: number): TenantDirectoryEntry {
  return { connectionId: summary.connectionId, connectorKey: summary.connectorKey, createdAt: summary.createdAt, summary, revision }
}

/** The storage key of an account in the index. */
export function accountStorageKey(account: AccountKey): string {
  return `${ACCOUNT_PREFIX}${JSON.stringify([account.connectorKey, account.authOption, account.accountId])}`
}

/** The index key of the account a summary names, or `null` (none, or a summary stored before accounts were kept). */
function accountKeyOfSummary(summary: ConnectionSummary): string | null {
  const accountId = summary.accountId ?? null
  if (accountId === null) return null
  return accountStorageKey({ connectorKey: summary.connectorKey, authOption: summary.authOption ?? null, accountId })
}

/** `account` as it crossed RPC, checked: `invalid_request` for anything but three bounded strings (authOption may be null). */
function checkedAccountKey(account: AccountKey): AccountKey {
  const invalid = new LatchkeyError('invalid_request', 'claimAccount: pass {connectorKey, authOption, accountId}.')
  if (typeof account !== 'object' || account === null) throw invalid
  const { connectorKey, authOption, accountId } = account
  if (typeof connectorKey !== 'string' || connectorKey === '' || connectorKey.length > 200) throw invalid
  if (authOption !== null && (typeof authOption !== 'string' || authOption.length > 200)) throw invalid
  if (typeof accountId !== 'string' || accountId === '' || accountId.length > MAX_ACCOUNT_ID_LENGTH) throw invalid
  return { connectorKey, authOption, accountId }
}

/** A summary as stored, with the fields summaries stored before accounts were kept lack (as null). */
function withAccountFields(summary: ConnectionSummary): ConnectionSummary {
  return { ...summary, accountLabel: summary.accountLabel ?? null, accountId: summary.accountId ?? null }
}

function tombstoneTimeKey(removedAt: number, connectionId: string): string {
  return `${TOMBSTONE_TIME_PREFIX}${String(Math.max(0, removedAt)).padStart(13, '0')}:${connectionId}`
}

/** The directory object of `tenant`. */
export function tenantDirectory(env: Env, tenant: string): DurableObjectStub<TenantDirectory> {
  return env.TENANT_DIRECTORIES.get(env.TENANT_DIRECTORIES.idFromName(tenant))
}
