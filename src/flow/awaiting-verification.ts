/**
 * A callback waiting for the application's user verification (S21, user-verification.ts):
 * the accepted pending authorization and the callback's parameters (the code among them),
 * stored server-side in KV under a fresh flow id, like the pending authorization under its
 * state (S3). The code is exchanged only once the application confirmed, so an unconfirmed
 * flow never obtains tokens. Single use is enforced by AuthorizationStateGuard, not by KV.
 */
import type { CallbackQuery } from './callback-query.ts'
import { isPendingAuthorization, type PendingAuthorization } from './pending-authorization.ts'

/** How long the application has to confirm, and the browser to come back (authorization codes expire too). */
export const USER_VERIFICATION_TTL_MS = 5 * 60_000

/** One callback waiting for verification, keyed by its flow id. */
export interface AwaitingVerification {
  version: 1
  record: PendingAuthorization
  query: CallbackQuery
  /** SHA-256 (base64url) of the nonce in the browser's verify binding cookie (S2). */
  browserBindingHash: string
  /** ms since epoch. */
  expiresAt: number
}

const KEY_PREFIX = 'verify:'

/** Stores the waiting callback; KV's TTL only cleans up, `expiresAt` decides. */
export async function saveAwaitingVerification(kv: KVNamespace, flowId: string, waiting: AwaitingVerification, now: number): Promise<void> {
  const ttlSeconds = Math.max(60, Math.ceil((waiting.expiresAt - now) / 1000) + 60)
  await kv.put(KEY_PREFIX + flowId, JSON.stringify(waiting), { expirationTtl: ttlSeconds })
}

/** The waiting callback of `flowId`, or null when there is none or it is not one we wrote. */
export async function loadAwaitingVerification(kv: KVNamespace, flowId: string): Promise<AwaitingVerification | null> {
  const stored = await kv.get(KEY_PREFIX + flowId, 'json').catch(() => null)
  return isAwaitingVerification(stored) ? stored : null
}

/** Removes the waiting callback (its code) once the flow is claimed. */
export async function deleteAwaitingVerification(kv: KVNamespace, flowId: string): Promise<void> {
  await kv.delete(KEY_PREFIX + flowId)
}

function isAwaitingVerification(value: unknown): value is AwaitingVerification {
  if (typeof value !== 'object' || value === null) return false
  const waiting = value as Record<string, unknown>
  const query = waiting['query'] as Record<string, unknown> | null | undefined
  return (
    waiting['version'] === 1 &&
    isPendingAuthorization(waiting['record']) &&
    typeof query === 'object' &&
    query !== null &&
    typeof query['code'] === 'string' &&
    (query['iss'] === null || typeof query['iss'] === 'string') &&
    typeof query['parameters'] === 'object' &&
    query['parameters'] !== null &&
    typeof waiting['browserBindingHash'] === 'string' &&
    typeof waiting['expiresAt'] === 'number'
  )
}
