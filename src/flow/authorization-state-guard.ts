/**
 * AuthorizationStateGuard: makes single-use values (an OAuth `state`, the `jti` of a
 * connect token, or the flow id of a user verification) usable once. KV cannot do "use
 * once" (two concurrent get-then-delete both succeed); a Durable Object runs one call at a
 * time and its SQLite storage is synchronous, so `claim()` succeeds exactly once per value
 * (S2, S15, S21).
 *
 * A flow started from a one-time connect URL is claimed at its completion together with the
 * URL's `jti` (`claimBoth`, S15): both values are inserted in one synchronous transaction of
 * ONE object, the shard of the jti (kind 'connect-token'), so two flows started from one URL
 * meet in the same object and only the first completion wins. The flow's own claim lives in
 * that shard too; its replays find it there because the jti is part of the flow's pending
 * record, which a replay of the same state reads again.
 *
 * Guards of kind 'pending-record' also keep a copy of each pending flow record (written in the
 * background at start, pending-store.ts), read only when KV has not (yet) got the record
 * where the callback is served: KV is eventually consistent across locations.
 *
 * A fixed set of guard objects per kind, each holding many values, keeps claims in warm
 * objects: creating a new object per value cost about eight times as much as the claim itself.
 */
import { DurableObject } from 'cloudflare:workers'

/**
 * What a guard holds: OAuth states and other flow ids, connect-token ids (and the flows
 * claimed with them), flow ids of user verifications (S21), and copies of pending records.
 */
export type GuardedKind = 'state' | 'connect-token' | 'user-verification' | 'pending-record'

/** Guard objects per kind; values spread over them by hash. Changing it forgets live claims. */
const SHARDS_PER_KIND = 32

/** Keep a claim this long after the value's own expiry (connect tokens get 30 s clock tolerance). */
const RETENTION_AFTER_EXPIRY_MS = 5 * 60_000

/**
 * Prefix of a flow claimed with a jti (`claimBoth`): keeps it apart from the jtis in the same
 * table (a jti is any string the application chose; a raw jti is what earlier versions stored).
 */
const FLOW_CLAIM_PREFIX = 'flow:'

/** How `claimBoth` ended: both values claimed now, or which one was claimed before (then neither is inserted). */
export type BothClaim = 'claimed' | 'flow-used' | 'token-used'

/** Single-use markers and pending-record copies of one shard; address it with `stateGuardName(...)`. */
export class AuthorizationStateGuard extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const sql = ctx.storage.sql
    sql.exec('CREATE TABLE IF NOT EXISTS claimed_values (value TEXT PRIMARY KEY, retain_until INTEGER NOT NULL) WITHOUT ROWID')
    sql.exec('CREATE INDEX IF NOT EXISTS claimed_values_by_retain_until ON claimed_values (retain_until)')
    sql.exec('CREATE TABLE IF NOT EXISTS pending_records (key TEXT PRIMARY KEY, record TEXT NOT NULL, retain_until INTEGER NOT NULL) WITHOUT ROWID')
    sql.exec('CREATE INDEX IF NOT EXISTS pending_records_by_retain_until ON pending_records (retain_until)')
  }

  /**
   * Marks `value` used. True the first time, false until the claim is forgotten (after
   * `notAfter` plus a retention margin, when the value is refused as expired anyway).
   */
  claim(value: string, notAfter: number, now: number = Date.now()): boolean {
    // No await between the check and the insert: this stays atomic within the object.
    this.#forgetExpiredClaims(now)
    return this.#insertClaim(value, notAfter, now)
  }

  /**
   * Claims a flow (its state or flow id) and the one-time connect token it was started with,
   * both or neither (S2, S15). `flow-used` wins over `token-used`: a replay of a completed flow
   * is a replay, not a second use of its URL. Call it on the shard of `tokenId`.
   */
  claimBoth(flowValue: string, flowNotAfter: number, tokenId: string, tokenNotAfter: number, now: number = Date.now()): BothClaim {
    const flowKey = FLOW_CLAIM_PREFIX + flowValue
    // One synchronous transaction: nothing else runs in this object meanwhile, and a failed
    // insert rolls the other back.
    return this.ctx.storage.transactionSync(() => {
      this.#forgetExpiredClaims(now)
      if (this.#isClaimed(flowKey)) return 'flow-used'
      if (this.#isClaimed(tokenId)) return 'token-used'
      this.#insertClaim(flowKey, flowNotAfter, now)
      this.#insertClaim(tokenId, tokenNotAfter, now)
      return 'claimed'
    })
  }

  /** Keeps a copy of a pending record (JSON) until `retainUntil`, replacing an older copy under `key`. */
  keepRecord(key: string, record: string, retainUntil: number, now: number = Date.now()): void {
    const sql = this.ctx.storage.sql
    sql.exec('DELETE FROM pending_records WHERE retain_until < ?', now)
    sql.exec(
      'INSERT INTO pending_records (key, record, retain_until) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET record = excluded.record, retain_until = excluded.retain_until',
      key,
      record,
      retainUntil,
    )
  }

  /** The copy kept under `key`, or null when there is none or it is past its retention. */
  readRecord(key: string, now: number = Date.now()): string | null {
    const sql = this.ctx.storage.sql
    sql.exec('DELETE FROM pending_records WHERE retain_until < ?', now)
    const rows = sql.exec<{ record: string }>('SELECT record FROM pending_records WHERE key = ?', key).toArray()
    return rows[0]?.record ?? null
  }

  /** Forgets the copy under `key` (a flow that ended). */
  forgetRecord(key: string): void {
    this.ctx.storage.sql.exec('DELETE FROM pending_records WHERE key = ?', key)
  }

  #forgetExpiredClaims(now: number): void {
    this.ctx.storage.sql.exec('DELETE FROM claimed_values WHERE retain_until < ?', now)
  }

  #isClaimed(value: string): boolean {
    return this.ctx.storage.sql.exec('SELECT 1 FROM claimed_values WHERE value = ?', value).toArray().length === 1
  }

  #insertClaim(value: string, notAfter: number, now: number): boolean {
    const inserted = this.ctx.storage.sql
      .exec(
        'INSERT INTO claimed_values (value, retain_until) VALUES (?, ?) ON CONFLICT (value) DO NOTHING RETURNING value',
        value,
        Math.max(notAfter, now) + RETENTION_AFTER_EXPIRY_MS,
      )
      .toArray()
    return inserted.length === 1
  }
}

/** The shard of a value: FNV-1a over its UTF-16 code units, so it is synchronous and stable. */
export function stateGuardShard(value: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % SHARDS_PER_KIND
}

/** The guard object that holds `value`: one set of shards per kind so values never collide. */
export function stateGuardName(kind: GuardedKind, value: string): string {
  return `shard:${kind}:${stateGuardShard(value)}`
}

/** The guard object of `kind` that holds `value`. */
export function stateGuardFor(namespace: DurableObjectNamespace<AuthorizationStateGuard>, kind: GuardedKind, value: string): DurableObjectStub<AuthorizationStateGuard> {
  return namespace.get(namespace.idFromName(stateGuardName(kind, value)))
}

/** Claims `value` once through its guard object; true when this call was the first. */
export async function claimOnce(namespace: DurableObjectNamespace<AuthorizationStateGuard>, kind: GuardedKind, value: string, notAfter: number): Promise<boolean> {
  return stateGuardFor(namespace, kind, value).claim(value, notAfter)
}
