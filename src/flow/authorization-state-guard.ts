/**
 * AuthorizationStateGuard: makes single-use values (an OAuth `state`, the `jti` of a
 * connect token, or the flow id of a user verification) usable once. KV cannot do "use
 * once" (two concurrent get-then-delete both succeed); a Durable Object runs one call at a
 * time and its SQLite storage is synchronous, so `claim()` succeeds exactly once per value
 * (S2, S15, S21).
 *
 * A fixed set of guard objects per kind, each holding many values, keeps claims in warm
 * objects: creating a new object per value cost about eight times as much as the claim itself.
 */
import { DurableObject } from 'cloudflare:workers'

/** What a guard makes single-use: OAuth states, connect-token ids, and flow ids of user verifications (S21). */
export type GuardedKind = 'state' | 'connect-token' | 'user-verification'

/** Guard objects per kind; values spread over them by hash. Changing it forgets live claims. */
const SHARDS_PER_KIND = 32

/** Keep a claim this long after the value's own expiry (connect tokens get 30 s clock tolerance). */
const RETENTION_AFTER_EXPIRY_MS = 5 * 60_000

/** Single-use markers for the values of one shard; address it with `stateGuardName(...)`. */
export class AuthorizationStateGuard extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS claimed_values (value TEXT PRIMARY KEY, retain_until INTEGER NOT NULL) WITHOUT ROWID')
    ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS claimed_values_by_retain_until ON claimed_values (retain_until)')
  }

  /**
   * Marks `value` used. True the first time, false until the claim is forgotten (after
   * `notAfter` plus a retention margin, when the value is refused as expired anyway).
   */
  claim(value: string, notAfter: number, now: number = Date.now()): boolean {
    // No await between the check and the insert: this stays atomic within the object.
    const sql = this.ctx.storage.sql
    sql.exec('DELETE FROM claimed_values WHERE retain_until < ?', now)
    const inserted = sql
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

/** Claims `value` once through its guard object; true when this call was the first. */
export async function claimOnce(namespace: DurableObjectNamespace<AuthorizationStateGuard>, kind: GuardedKind, value: string, notAfter: number): Promise<boolean> {
  return namespace.get(namespace.idFromName(stateGuardName(kind, value))).claim(value, notAfter)
}
