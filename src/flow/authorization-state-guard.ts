/**
 * AuthorizationStateGuard: one tiny Durable Object per single-use value (an OAuth `state`,
 * or the `jti` of a connect token). KV cannot do "use once" (two concurrent get-then-delete
 * both succeed); a Durable Object runs one call at a time and its SQLite storage is
 * synchronous, so `claim()` succeeds exactly once (S2, S15). An alarm erases the marker
 * once the value has expired anyway.
 */
import { DurableObject } from 'cloudflare:workers'

const CLAIMED_AT = 'claimedAt'

/** Keep the marker this long after the value's own expiry (clock skew, KV TTL slack). */
const RETENTION_AFTER_EXPIRY_MS = 5 * 60_000

/** Single-use marker; address it with `stateGuardName(...)`. */
export class AuthorizationStateGuard extends DurableObject<Env> {
  /**
   * Marks this value used. True the first time, false ever after (until the marker is
   * erased, after `notAfter`, when the value is refused as expired anyway).
   */
  async claim(notAfter: number): Promise<boolean> {
    if (this.ctx.storage.kv.get<number>(CLAIMED_AT) !== undefined) return false
    this.ctx.storage.kv.put(CLAIMED_AT, Date.now())
    await this.ctx.storage.setAlarm(Math.max(notAfter, Date.now()) + RETENTION_AFTER_EXPIRY_MS)
    return true
  }

  /** Erases the marker (idempotent: alarms are at-least-once). */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll()
  }
}

/** The object name for a single-use value: one namespace per kind so values never collide. */
export function stateGuardName(kind: 'state' | 'connect-token', value: string): string {
  return `${kind}:${value}`
}

/** Claims `value` once through its guard object; true when this call was the first. */
export async function claimOnce(
  namespace: DurableObjectNamespace,
  kind: 'state' | 'connect-token',
  value: string,
  notAfter: number,
): Promise<boolean> {
  const stub = namespace.get(namespace.idFromName(stateGuardName(kind, value))) as DurableObjectStub<AuthorizationStateGuard>
  return stub.claim(notAfter)
}
