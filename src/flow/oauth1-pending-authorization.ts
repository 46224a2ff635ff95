/**
 * The pending OAuth 1.0a authorization: everything its callback needs, stored server-side in
 * KV under a SHA-256 of the request token (S23). The callback carries the request token
 * (`oauth_token`) where OAuth2 carries `state`; the raw token is never a storage key, a cookie
 * name or a log field. Single use is enforced by AuthorizationStateGuard (S2), as for OAuth2.
 */
import { base64UrlEncode } from '../base64url.ts'
import type { FlowMode } from './pending-authorization.ts'

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

/** Stores the record under its flow id. KV's own TTL (>= 60 s) only cleans up; `expiresAt` decides. */
export async function saveOAuth1PendingAuthorization(kv: KVNamespace, flowId: string, record: OAuth1PendingAuthorization, now: number): Promise<void> {
  const ttlSeconds = Math.max(60, Math.ceil((record.expiresAt - now) / 1000) + 60)
  await kv.put(KEY_PREFIX + flowId, JSON.stringify(record), { expirationTtl: ttlSeconds })
}

/** The record stored under `flowId`, or null when there is none or it is not a record we wrote. */
export async function loadOAuth1PendingAuthorization(kv: KVNamespace, flowId: string): Promise<OAuth1PendingAuthorization | null> {
  const stored = await kv.get(KEY_PREFIX + flowId, 'json').catch(() => null)
  return isOAuth1PendingAuthorization(stored) ? stored : null
}

/** Shape check of a stored record (a corrupt or foreign value must not crash the callback, S18). */
export function isOAuth1PendingAuthorization(value: unknown): value is OAuth1PendingAuthorization {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return (
    record['version'] === 1 &&
    record['kind'] === 'oauth1' &&
    typeof record['connectorKey'] === 'string' &&
    (record['authOption'] === null || typeof record['authOption'] === 'string') &&
    typeof record['tenant'] === 'string' &&
    typeof record['connectionInput'] === 'object' &&
    record['connectionInput'] !== null &&
    !Array.isArray(record['connectionInput']) &&
    typeof record['requestTokenSecret'] === 'string' &&
    typeof record['tokenUri'] === 'string' &&
    (record['returnUrl'] === null || typeof record['returnUrl'] === 'string') &&
    (record['mode'] === 'redirect' || record['mode'] === 'popup') &&
    (record['connectionId'] === null || typeof record['connectionId'] === 'string') &&
    typeof record['browserBindingHash'] === 'string' &&
    typeof record['createdAt'] === 'number' &&
    typeof record['expiresAt'] === 'number'
  )
}
