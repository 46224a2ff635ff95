/**
 * The connection object's storage, on the synchronous KV API of SQLite-backed Durable
 * Objects: up to four keys, written together in one transaction, and a marker of a tenant
 * directory push that did not land (`directoryPending`). Schema and migration: STORAGE.md.
 */
import { LatchkeyError } from '../errors.ts'
import { alarmTimeFor, toSummary, type ConnectionRecord } from './connection-record.ts'
import { isSealedCredentials, type SealedCredentials } from './credential-encryption.ts'

/** Version of the layout below; bump it together with a step in `migrateConnectionStorage`. */
export const CONNECTION_SCHEMA_VERSION = 1

/** Storage keys. */
export const STORAGE_KEYS = {
  schema: 'schema',
  connection: 'connection',
  credentials: 'credentials',
  secretInput: 'secretInput',
  directoryPending: 'directoryPending',
} as const

/** What a write does to the sealed secret input: keep it (absent), replace it, or delete it (`null`). */
export type SecretInputWrite = SealedCredentials | null | undefined

/** Told after a write that changed the record's summary (what the tenant directory shows), with the record as stored. */
export type SummaryListener = (record: ConnectionRecord) => void

/**
 * Typed access to one connection object's storage. The record is kept in memory after the
 * first read: this object is its only writer, so the copy cannot go stale, and the hot path
 * (getAccessToken) then skips a storage read and decode per call (bench/ row 1.ii).
 */
export class ConnectionStorage {
  readonly #storage: DurableObjectStorage
  readonly #now: () => number
  /** `undefined` until first read; deeply frozen so no caller can change it behind storage's back. */
  #record: ConnectionRecord | null | undefined
  /**
   * The last summary revision written. Kept in memory after `deleteAll`, so a connection
   * stored again by this instance continues above the revision its removal was published with.
   */
  #revision = 0
  #onSummaryChange: SummaryListener | null = null

  /** `now` is the connection object's clock: alarm times are computed from it. */
  constructor(storage: DurableObjectStorage, now: () => number) {
    this.#storage = storage
    this.#now = now
  }

  /** The one hook on record writes: `listener` hears every write that changed the summary, in order (directory-publisher.ts). */
  onSummaryChange(listener: SummaryListener): void {
    this.#onSummaryChange = listener
  }

  /**
   * Brings stored data to `CONNECTION_SCHEMA_VERSION`; run once at startup inside
   * `blockConcurrencyWhile`. Refuses data written by a newer version (a rollback), so it
   * is never rewritten in a shape that newer code would misread.
   */
  migrate(): void {
    const version = this.#storage.kv.get<number>(STORAGE_KEYS.schema)
    if (version === undefined || version === CONNECTION_SCHEMA_VERSION) return
    throw new LatchkeyError(
      'internal_error',
      `Connection storage has schema version ${String(version)}, newer than this code (${CONNECTION_SCHEMA_VERSION}): deploy the newer version again.`,
    )
  }

  /** The record, or `null` for an object that holds no connection. */
  readRecord(): ConnectionRecord | null {
    if (this.#record === undefined) {
      this.#record = freeze(this.#storage.kv.get<ConnectionRecord>(STORAGE_KEYS.connection) ?? null)
      this.#revision = Math.max(this.#revision, this.#record?.revision ?? 0)
    }
    return this.#record
  }

  /**
   * The record of `tenant`'s connection (of whatever tenant when omitted: only inside an
   * operation that checked it already); `connection_not_found` otherwise. Another tenant's
   * connection looks exactly like a missing one.
   */
  requireRecord(tenant?: string): ConnectionRecord {
    const record = this.readRecord()
    if (record === null || (tenant !== undefined && record.tenant !== tenant)) {
      throw new LatchkeyError('connection_not_found', 'No connection with this id exists for this tenant.')
    }
    return record
  }

  /** The sealed credentials, or `null`. */
  readSealedCredentials(): SealedCredentials | null {
    const value = this.#storage.kv.get(STORAGE_KEYS.credentials)
    if (value === undefined) return null
    if (!isSealedCredentials(value)) throw new LatchkeyError('internal_error', 'Stored credentials have an unknown format: the user must reconnect.')
    return value
  }

  /** The sealed secret input (typed secrets of a client-credentials form, S22), or `null` when there is none. */
  readSealedSecretInput(): SealedCredentials | null {
    const value = this.#storage.kv.get(STORAGE_KEYS.secretInput)
    if (value === undefined) return null
    if (!isSealedCredentials(value)) throw new LatchkeyError('internal_error', 'The stored connection input has an unknown format: the user must reconnect.')
    return value
  }

  /**
   * Writes the record, and the credentials and secret input when given, atomically. A write
   * that changes the summary (`toSummary`) gets the next `revision` and is told to the
   * summary listener; bookkeeping-only writes (a refresh starting, a reseal) keep the revision.
   */
  write(record: ConnectionRecord, sealed?: SealedCredentials, secretInput?: SecretInputWrite): void {
    const previous = this.readRecord()
    const changed = previous === null || !sameSummary(previous, record)
    const revision = changed ? this.#revision + 1 : (previous?.revision ?? this.#revision)
    const stored: ConnectionRecord = { ...record, revision }
    this.#storage.transactionSync(() => {
      this.#storage.kv.put(STORAGE_KEYS.schema, CONNECTION_SCHEMA_VERSION)
      this.#storage.kv.put(STORAGE_KEYS.connection, stored)
      if (sealed) this.#storage.kv.put(STORAGE_KEYS.credentials, sealed)
      if (secretInput === null) this.#storage.kv.delete(STORAGE_KEYS.secretInput)
      else if (secretInput !== undefined) this.#storage.kv.put(STORAGE_KEYS.secretInput, secretInput)
    })
    this.#revision = Math.max(this.#revision, revision)
    this.#record = freeze(structuredClone(stored))
    if (changed) this.#onSummaryChange?.(this.#record)
  }

  /** The revision of the directory push that did not land yet (directory-publisher.ts), or `null`. */
  readDirectoryPending(): number | null {
    return this.#storage.kv.get<number>(STORAGE_KEYS.directoryPending) ?? null
  }

  /** Records (a revision) or clears (`null`) a directory push that did not land, so a restarted object retries it. */
  writeDirectoryPending(revision: number | null): void {
    if (revision === null) this.#storage.kv.delete(STORAGE_KEYS.directoryPending)
    else this.#storage.kv.put(STORAGE_KEYS.directoryPending, revision)
  }

  /** Points the alarm at a refresh due at `refreshAt` (see `alarmTimeFor`), or clears it. Idempotent. */
  async scheduleRefresh(refreshAt: number | null): Promise<void> {
    if (refreshAt === null) {
      await this.#storage.deleteAlarm()
      return
    }
    const alarmAt = alarmTimeFor(refreshAt, this.#now())
    const current = await this.#storage.getAlarm()
    if (current !== alarmAt) await this.#storage.setAlarm(alarmAt)
  }

  /** Deletes every key and the alarm: the object is empty afterwards. */
  async deleteAll(): Promise<void> {
    await this.#storage.deleteAlarm()
    await this.#storage.deleteAll()
    this.#record = null
  }
}

function sameSummary(a: ConnectionRecord, b: ConnectionRecord): boolean {
  return JSON.stringify(toSummary(a)) === JSON.stringify(toSummary(b))
}

function freeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const nested of Object.values(value)) freeze(nested)
    Object.freeze(value)
  }
  return value
}
