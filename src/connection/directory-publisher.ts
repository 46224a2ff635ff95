/**
 * Keeps the tenant directory's copy of this connection's summary current (tenant-directory.ts).
 * The one hook is `ConnectionStorage.write`: every write that changes the summary schedules a
 * push here, so no write site can forget one. Operations that write then `await settled()`
 * before they return (the refresh's single flight does it for every refresh), so when a call
 * that changed the connection returns, the directory shows the change.
 *
 * Order: pushes and the removal run one at a time, in the order they were scheduled, and a
 * push sends the record as it is when the push starts (later writes coalesce into it). Each
 * carries the record's `createdAt` and `revision`, and the directory ignores anything not
 * newer than what it holds, so even a push of an earlier object instance overtaken in the
 * network cannot overwrite a newer summary.
 *
 * Failure: the connection's own storage is the truth and is written first; the directory is
 * an index of it. A push that fails (twice in a row) does not fail or undo the operation,
 * which already happened: it is logged, retried in the background (1 s, 5 s, 30 s), carried
 * by every later push (each sends the whole current summary), and recorded in storage
 * (`directoryPending`) so that an object that restarts before it landed retries it when it
 * starts. Until then the listing shows the previous summary. A removal that fails is retried
 * the same way, in memory only (the deleted object keeps nothing, STORAGE.md).
 */
import { toSummary, type ConnectionRecord } from './connection-record.ts'
import type { ConnectionStorage } from './connection-storage.ts'
import { tenantDirectory, type SummaryVersion } from './tenant-directory.ts'

/** Waits before the background retries of a push or removal that failed. */
export const DIRECTORY_RETRY_DELAYS_MS = [1_000, 5_000, 30_000] as const

/** What the publisher works with, lent by the connection object. */
export interface DirectoryPublisherHost {
  env: Env
  storage: ConnectionStorage
  /** Keeps a background retry alive (`ctx.waitUntil`). */
  waitUntil(promise: Promise<unknown>): void
}

/** The directory pushes of one connection object. */
export class DirectoryPublisher {
  readonly #host: DirectoryPublisherHost
  #chain: Promise<void> = Promise.resolve()
  /** The highest revision the directory acknowledged from this instance. */
  #published = 0
  /** Whether `directoryPending` may be set in storage. */
  #marked = false

  constructor(host: DirectoryPublisherHost) {
    this.#host = host
  }

  /** The storage listener: queues a push of the summary as it will be when the push starts. */
  schedule(): void {
    this.#enqueue(() => this.#push(0))
  }

  /** At startup: retries a push that a previous instance recorded as not landed. */
  resume(): void {
    if (this.#host.storage.readDirectoryPending() === null) return
    this.#marked = true
    this.schedule()
  }

  /** Resolves when everything queued so far was tried (landed, or left to the retries). Never rejects. */
  settled(): Promise<void> {
    return this.#chain
  }

  /** Queues the removal of the deleted connection `record` (disconnect) and waits for it. */
  remove(record: ConnectionRecord): Promise<void> {
    this.#enqueue(() => this.#remove(record, 0))
    return this.settled()
  }

  #enqueue(task: () => Promise<void>): void {
    this.#chain = this.#chain.then(task).catch((error: unknown) => {
      console.error('latchkey: tenant directory publisher failed unexpectedly', errorName(error))
    })
  }

  async #push(attempt: number): Promise<void> {
    const { storage, env } = this.#host
    const record = storage.readRecord()
    if (record === null) return
    const revision = record.revision ?? 0
    if (revision <= this.#published && !this.#marked) return
    try {
      await twice(() => tenantDirectory(env, record.tenant).publishSummary(toSummary(record), revision))
    } catch (error) {
      console.warn(`latchkey: the tenant directory did not take the summary of ${record.connectionId} (revision ${revision}); retrying later.`, errorName(error))
      // Only a connection that still exists records it: a deleted object keeps no key.
      if (storage.readRecord() !== null) {
        storage.writeDirectoryPending(revision)
        this.#marked = true
      }
      this.#retryLater(attempt, (next) => this.#push(next))
      return
    }
    this.#published = Math.max(this.#published, revision)
    if (this.#marked && (storage.readRecord()?.revision ?? 0) <= revision) {
      storage.writeDirectoryPending(null)
      this.#marked = false
    }
  }

  async #remove(record: ConnectionRecord, attempt: number): Promise<void> {
    const version: SummaryVersion = { createdAt: record.createdAt, revision: record.revision ?? 0 }
    try {
      await twice(() => tenantDirectory(this.#host.env, record.tenant).removeConnection(record.connectionId, version))
    } catch (error) {
      console.warn(`latchkey: the tenant directory did not remove ${record.connectionId}; retrying later.`, errorName(error))
      this.#retryLater(attempt, (next) => this.#remove(record, next))
    }
  }

  /** Queues `task` again after the next delay of `DIRECTORY_RETRY_DELAYS_MS`, unless they are used up. */
  #retryLater(attempt: number, task: (attempt: number) => Promise<void>): void {
    const delay = DIRECTORY_RETRY_DELAYS_MS[attempt]
    if (delay === undefined) return
    const retried = new Promise<void>((resolve) => setTimeout(resolve, delay)).then(() => {
      this.#enqueue(() => task(attempt + 1))
      return this.#chain
    })
    this.#host.waitUntil(retried)
  }
}

/** `call`, and once more if it throws (a directory object reset or briefly overloaded). */
async function twice<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch {
    return call()
  }
}

/** What a log line says of an error: its name only, as everywhere in Latchkey (a message may quote more than it should). */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error
}
