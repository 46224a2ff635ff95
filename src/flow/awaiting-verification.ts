/**
 * A callback waiting for the application's user verification (S21, user-verification.ts):
 * the accepted pending authorization and the callback's parameters (the code among them),
 * stored server-side in KV under a fresh flow id, like the pending authorization under its
 * state (S3), with a copy in a guard shard for a return KV has not caught up with
 * (pending-store.ts). The code is exchanged only once the application confirmed, so an
 * unconfirmed flow never obtains tokens. Single use is enforced by AuthorizationStateGuard,
 * not by KV.
 */
import type { Background } from './background.ts'
import type { CallbackQuery } from './callback-query.ts'
import { isPendingAuthorization, type PendingAuthorization } from './pending-authorization.ts'
import { deletePendingRecord, loadPendingRecord, savePendingRecord, type PendingStoreEnv } from './pending-store.ts'

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

/** Stores the waiting callback (KV, and the guard's copy in the background); the stores' TTL only cleans up, `expiresAt` decides. */
export async function saveAwaitingVerification(env: PendingStoreEnv, flowId: string, waiting: AwaitingVerification, now: number, background: Background): Promise<void> {
  await savePendingRecord(env, KEY_PREFIX + flowId, waiting, now, background)
}

/** The waiting callback of `flowId` (KV, or the guard's copy on a KV miss), or null when there is none or it is not one we wrote. */
export async function loadAwaitingVerification(env: PendingStoreEnv, flowId: string): Promise<AwaitingVerification | null> {
  const stored = await loadPendingRecord(env, KEY_PREFIX + flowId)
  return isAwaitingVerification(stored) ? stored : null
}

/** Removes the waiting callback (its code) and its copy once the flow is claimed. */
export async function deleteAwaitingVerification(env: PendingStoreEnv, flowId: string, background: Background): Promise<void> {
  await deletePendingRecord(env, KEY_PREFIX + flowId, background)
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
