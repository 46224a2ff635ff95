/**
 * The pending OAuth 1.0a authorization: everything its callback needs, stored server-side in
 * KV under a SHA-256 of the request token (S23). The callback carries the request token
 * (`oauth_token`) where OAuth2 carries `state`; the raw token is never a storage key, a cookie
 * name or a log field. Single use is enforced by AuthorizationStateGuard (S2), as for OAuth2;
 * a copy waits in a guard shard for a callback KV has not caught up with (pending-store.ts).
 */
import { base64UrlEncode } from '../base64url.ts'
import type { Background } from './background.ts'
import type { OneTimeToken } from './one-time-token.ts'
import { hasPendingFlowFields, type FlowMode } from './pending-authorization.ts'
import { loadPendingRecord, savePendingRecord, type PendingStoreEnv } from './pending-store.ts'

/** One started OAuth 1.0a authorization, keyed by the hash of its request token. */
export interface OAuth1PendingAuthorization {
  version: 1
  kind: 'oauth1'
  connectorKey: string
  /** The auth option the connection uses (connectors with `auth.options`), or null. */
  authOption: string | null
  tenant: string
  connectionInput: Record<string, unknown>
  /** The request token's secret: signs the access-token request with the token from the callback. */
  requestTokenSecret: string
  /** The access-token endpoint as resolved at start: the callback never picks it (S6). */
  tokenUri: string
  returnUrl: string | null
  mode: FlowMode
  /** Set when reconnecting an existing connection. */
  connectionId: string | null
  /**
   * The one-time connect token the flow started with, claimed with the flow at the callback
   * (S15, flow-claim.ts); null for a token without `jti`. Absent in records stored before.
   */
  connectToken?: OneTimeToken | null
  /** SHA-256 (base64url) of the nonce in the browser's binding cookie (S2). */
  browserBindingHash: string
  createdAt: number
  /** ms since epoch; at most 10 minutes after createdAt. */
  expiresAt: number
}

/** Longest request token looked up (S18); real ones are tens of characters. */
export const MAX_REQUEST_TOKEN_LENGTH = 1024

const KEY_PREFIX = 'oauth1:'

/**
 * The flow id of a request token: SHA-256, base64url (43 characters). It names the KV record,
 * the binding cookie (its first 16 characters, like a state's) and the single-use claim.
 */
export async function oauth1FlowId(requestToken: string): Promise<string> {
  return base64UrlEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(requestToken))))
}

/** The single-use claim of a flow: prefixed so it can never equal an OAuth2 state. */
export function oauth1ClaimValue(flowId: string): string {
  return `${KEY_PREFIX}${flowId}`
}

/** Stores the record under its flow id (KV, and the guard's copy in the background). `expiresAt` decides, not the stores' TTL. */
export async function saveOAuth1PendingAuthorization(env: PendingStoreEnv, flowId: string, record: OAuth1PendingAuthorization, now: number, background: Background): Promise<void> {
  await savePendingRecord(env, KEY_PREFIX + flowId, record, now, background)
}

/** The record stored under `flowId` (KV, or the guard's copy on a KV miss), or null when there is none or it is not a record we wrote. */
export async function loadOAuth1PendingAuthorization(env: PendingStoreEnv, flowId: string): Promise<OAuth1PendingAuthorization | null> {
  const stored = await loadPendingRecord(env, KEY_PREFIX + flowId)
  return isOAuth1PendingAuthorization(stored) ? stored : null
}

/** Shape check of a stored record (a corrupt or foreign value must not crash the callback, S18). */
export function isOAuth1PendingAuthorization(value: unknown): value is OAuth1PendingAuthorization {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return (
    hasPendingFlowFields(record) &&
    record['kind'] === 'oauth1' &&
    (record['authOption'] === null || typeof record['authOption'] === 'string') &&
    typeof record['connectionInput'] === 'object' &&
    record['connectionInput'] !== null &&
    !Array.isArray(record['connectionInput']) &&
    typeof record['requestTokenSecret'] === 'string' &&
    typeof record['tokenUri'] === 'string' &&
    (record['connectionId'] === null || typeof record['connectionId'] === 'string')
  )
}
