/**
 * Where pending flow records live (an OAuth2 state's, an OAuth 1.0a flow's, a credential
 * form's, a callback waiting for user verification): Workers KV under the record's key, and
 * a copy in an AuthorizationStateGuard shard (kind 'pending-record').
 *
 * KV is eventually consistent across locations: a write can take up to 60 s to be visible
 * elsewhere, so a callback served in another location than the start may miss the record.
 * The copy is written in the background (`waitUntil`, off the redirect's critical path: the
 * start route makes no Durable Object round trip) and read only when KV has no record. It is
 * kept exactly as long as KV keeps the record (KV's TTL), and cleaned up on access. Single use
 * is never decided here: AuthorizationStateGuard's claims do that (S2).
 */
import { stateGuardFor, type AuthorizationStateGuard } from './authorization-state-guard.ts'
import type { Background } from './background.ts'

/** The bindings the store uses. */
export type PendingStoreEnv = Pick<Env, 'PENDING_AUTHORIZATIONS' | 'AUTHORIZATION_STATE_GUARDS'>

/**
 * Stores `record` under `key` in KV (awaited) and its copy in the guard (in the background).
 * KV's own TTL (>= 60 s past `expiresAt`) only cleans up; `expiresAt` decides.
 */
export async function savePendingRecord(env: PendingStoreEnv, key: string, record: { expiresAt: number }, now: number, background: Background): Promise<void> {
  const ttlSeconds = Math.max(60, Math.ceil((record.expiresAt - now) / 1000) + 60)
  const value = JSON.stringify(record)
  background(guardOf(env, key).keepRecord(key, value, now + ttlSeconds * 1000))
  await env.PENDING_AUTHORIZATIONS.put(key, value, { expirationTtl: ttlSeconds })
}

/**
 * The record under `key` as parsed JSON: KV's, or the guard's copy when KV has none (not yet
 * here, or failing). Null when neither has one. A record KV has but that is not JSON is null
 * too: the copy never overrides what KV holds.
 */
export async function loadPendingRecord(env: PendingStoreEnv, key: string): Promise<unknown> {
  const stored = await env.PENDING_AUTHORIZATIONS.get(key, 'text').catch(() => null)
  if (stored !== null) return parseJson(stored)
  const copy = await guardOf(env, key)
    .readRecord(key)
    .catch(() => null)
  return copy === null ? null : parseJson(copy)
}

/** Forgets the record in KV (awaited) and its copy (in the background). The claim, not the deletion, makes a flow single use. */
export async function deletePendingRecord(env: PendingStoreEnv, key: string, background: Background): Promise<void> {
  background(guardOf(env, key).forgetRecord(key))
  await env.PENDING_AUTHORIZATIONS.delete(key)
}

function guardOf(env: PendingStoreEnv, key: string): DurableObjectStub<AuthorizationStateGuard> {
  return stateGuardFor(env.AUTHORIZATION_STATE_GUARDS, 'pending-record', key)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
