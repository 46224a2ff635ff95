/**
 * The connection object's storage, on the synchronous KV API of SQLite-backed Durable
 * Objects: up to four keys, written together in one transaction. Schema and migration: STORAGE.md.
 */
import { LatchkeyError } from '../errors.ts'
import { alarmTimeFor, type ConnectionRecord } from './connection-record.ts'
import { isSealedCredentials, type SealedCredentials } from './credential-encryption.ts'

/** Version of the layout below; bump it together with a step in `migrateConnectionStorage`. */
export const CONNECTION_SCHEMA_VERSION = 1

/** Storage keys. */
export const STORAGE_KEYS = { schema: 'schema', connection: 'connection', credentials: 'credentials', secretInput: 'secretInput' } as const

/** What a write does to the sealed secret input: keep it (absent), replace it, or delete it (`null`). */
export type SecretInputWrite = SealedCredentials | null | undefined

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

  /** `now` is the connection object's clock: alarm times are computed from it. */
  constructor(storage: DurableObjectStorage, now: () => number) {
    this.#storage = storage
    this.#now = now
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
    if (this.#record === undefined) this.#record = freeze(this.#storage.kv.get<ConnectionRecord>(STORAGE_KEYS.connection) ?? null)
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

  /** Writes the record, and the credentials and secret input when given, atomically. */
  write(record: ConnectionRecord, sealed?: SealedCredentials, secretInput?: SecretInputWrite): void {
    this.#storage.transactionSync(() => {
      this.#storage.kv.put(STORAGE_KEYS.schema, CONNECTION_SCHEMA_VERSION)
      this.#storage.kv.put(STORAGE_KEYS.connection, record)
      if (sealed) this.#storage.kv.put(STORAGE_KEYS.credentials, sealed)
      if (secretInput === null) this.#storage.kv.delete(STORAGE_KEYS.secretInput)
      else if (secretInput !== undefined) this.#storage.kv.put(STORAGE_KEYS.secretInput, secretInput)
    })
    this.#record = freeze(structuredClone(record))
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

function freeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const nested of Object.values(value)) freeze(nested)
    Object.freeze(value)
  }
  return value
}
