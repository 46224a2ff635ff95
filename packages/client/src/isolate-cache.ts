/**
 * A small cache in the caller's isolate, per (tenant, connectionId): a value is answered
 * from memory until its own deadline (`usableUntil`, decided when it arrives) and never
 * longer than `ttlMs` after it arrived; concurrent misses share one load; a failed load is
 * not kept. A `ttlMs` of 0 turns it off: every call loads, nothing is shared.
 */

/** The cache's clock and bounds. */
export interface IsolateCacheOptions {
  /** Longest time a value is answered from memory, ms; 0 disables the cache. */
  ttlMs: number
  /** Most entries kept; the oldest goes first. */
  maxEntries: number
  now: () => number
}

interface Entry<V> {
  /** The value and until when it may be answered (exclusive), or none. */
  value: V | undefined
  until: number
  /** A load in flight that new misses join. */
  loading: Promise<V> | undefined
  /** Bumped by every load: only the newest load may store its value. */
  generation: number
}

/** Values per key with a deadline and one load in flight at a time. */
export class IsolateCache<V> {
  readonly #entries = new Map<string, Entry<V>>()
  readonly #options: IsolateCacheOptions

  constructor(options: IsolateCacheOptions) {
    this.#options = options
  }

  /** The value of `key` while it is usable, else undefined. */
  peek(key: string): V | undefined {
    const entry = this.#entries.get(key)
    if (entry?.value === undefined) return undefined
    if (this.#options.now() < entry.until) return entry.value
    entry.value = undefined
    return undefined
  }

  /**
   * The usable value of `key`, else the load in flight, else a new `load()`. `usableUntil`
   * says until when a loaded value may be answered (capped at ttlMs from its arrival).
   */
  get(key: string, load: () => Promise<V>, usableUntil: (value: V, arrivedAt: number) => number): Promise<V> {
    const value = this.peek(key)
    if (value !== undefined) return Promise.resolve(value)
    const loading = this.#entries.get(key)?.loading
    if (loading !== undefined) return loading
    return this.load(key, load, usableUntil)
  }

  /** Loads `key` now, whatever is cached or in flight; the result replaces the entry. */
  load(key: string, load: () => Promise<V>, usableUntil: (value: V, arrivedAt: number) => number): Promise<V> {
    if (this.#options.ttlMs <= 0) return load()
    const entry = this.#entry(key)
    const generation = ++entry.generation
    entry.value = undefined
    const loading = load().then(
      (value) => {
        if (entry.generation === generation) {
          entry.loading = undefined
          this.#store(key, entry, value, usableUntil)
        }
        return value
      },
      (error: unknown) => {
        if (entry.generation === generation) entry.loading = undefined
        throw error
      },
    )
    entry.loading = loading
    return loading
  }

  /** Stores `value` for `key` (a value that arrived by another way), unless a newer load is in flight. */
  put(key: string, value: V, usableUntil: (value: V, arrivedAt: number) => number): void {
    if (this.#options.ttlMs <= 0) return
    const entry = this.#entry(key)
    if (entry.loading !== undefined) return
    this.#store(key, entry, value, usableUntil)
  }

  /** Forgets `key`: its value, and any load in flight for it (callers already waiting still get its result). */
  delete(key: string): void {
    const entry = this.#entries.get(key)
    if (entry === undefined) return
    entry.generation++
    this.#entries.delete(key)
  }

  #store(key: string, entry: Entry<V>, value: V, usableUntil: (value: V, arrivedAt: number) => number): void {
    const arrivedAt = this.#options.now()
    const until = Math.min(usableUntil(value, arrivedAt), arrivedAt + this.#options.ttlMs)
    if (until <= arrivedAt) {
      entry.value = undefined
      return
    }
    entry.value = value
    entry.until = until
    // Most recently stored last, so the first entry is the one to evict.
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    this.#evictOverflow()
  }

  #entry(key: string): Entry<V> {
    let entry = this.#entries.get(key)
    if (entry === undefined) {
      entry = { value: undefined, until: 0, loading: undefined, generation: 0 }
      this.#entries.set(key, entry)
      this.#evictOverflow()
    }
    return entry
  }

  #evictOverflow(): void {
    while (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done === true) return
      this.delete(oldest.value)
    }
  }
}

/** The cache key of a connection: unambiguous for any tenant and id. */
export function connectionKey(tenant: string, connectionId: string): string {
  return `${tenant.length}:${tenant}:${connectionId}`
}
