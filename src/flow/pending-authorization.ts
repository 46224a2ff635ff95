/**
 * The pending authorization: everything the callback needs, stored server-side in KV under
 * the `state` (S3) and never carried in it, with a copy in a guard shard for a callback that
 * KV has not caught up with (pending-store.ts). KV is eventually consistent, so single use is
 * enforced by AuthorizationStateGuard (S2); the record only has to be found and unexpired.
 */
import { isDiscoveredAuthorization, type DiscoveredAuthorization } from '../discovery/discovered-authorization.ts'
import type { Background } from './background.ts'
import { isOneTimeTokenField, type OneTimeToken } from './one-time-token.ts'
import { loadPendingRecord, savePendingRecord, type PendingStoreEnv } from './pending-store.ts'

/** How the flow ends: a redirect to the return URL, or a popup page that posts to its opener. */
export type FlowMode = 'redirect' | 'popup'

/** One started authorization, keyed by its state. */
export interface PendingAuthorization {
  version: 1
  connectorKey: string
  /** The connector's auth option (connectors with `options`); absent in records stored before options existed. */
  authOption?: string | null
  tenant: string
  connectionInput: Record<string, unknown>
  /** PKCE verifier; null when the connector sets skipPkce. */
  codeVerifier: string | null
  redirectUri: string
  /** Token endpoint and issuer as resolved at start: the callback never picks them (S6). */
  tokenUri: string
  issuer: string | null
  jwksUri: string | null
  /** Scopes requested, to know whether `openid` was asked for (S17). */
  scopes: string[]
  /**
   * A discovered connection's authorization server, client and resource as the start discovered
   * them (auth type `oauth2-discovered`): the callback uses these, never discovers again. Absent
   * (or null) for every other connector.
   */
  discovered?: DiscoveredAuthorization | null
  returnUrl: string | null
  mode: FlowMode
  /** Set when reconnecting an existing connection. */
  connectionId: string | null
  /**
   * The one-time connect token the flow started with, claimed with the state at the callback
   * (S15, flow-claim.ts); null for a token without `jti`. Absent in records stored before.
   */
  connectToken?: OneTimeToken | null
  /** SHA-256 (base64url) of the nonce in the browser's binding cookie (S2). */
  browserBindingHash: string
  createdAt: number
  /** ms since epoch; at most 10 minutes after createdAt. */
  expiresAt: number
}

/**
 * What the end of a flow needs of where it started (flow-ending.ts), whatever the auth type:
 * an OAuth2 pending authorization, an OAuth 1.0a one, or a typed-credentials form.
 */
export type FlowOrigin = Pick<PendingAuthorization, 'connectorKey' | 'returnUrl' | 'mode' | 'connectionId'>

/** Lifetime of a pending authorization (S2: at most 10 minutes). */
export const PENDING_AUTHORIZATION_TTL_MS = 10 * 60_000

const KEY_PREFIX = 'state:'

/** Stores the record under its state (KV, and the guard's copy in the background). `expiresAt` decides, not the stores' TTL. */
export async function savePendingAuthorization(env: PendingStoreEnv, state: string, record: PendingAuthorization, now: number, background: Background): Promise<void> {
  await savePendingRecord(env, KEY_PREFIX + state, record, now, background)
}

/** The record stored under `state` (KV, or the guard's copy on a KV miss), or null when there is none or it is not a record we wrote. */
export async function loadPendingAuthorization(env: PendingStoreEnv, state: string): Promise<PendingAuthorization | null> {
  const stored = await loadPendingRecord(env, KEY_PREFIX + state)
  return isPendingAuthorization(stored) ? stored : null
}

/**
 * Shape check of the fields every pending flow record has (an OAuth2 state's, an OAuth 1.0a
 * flow's, a credential form's): a corrupt or foreign value must not crash a flow (S18).
 */
export function hasPendingFlowFields(record: Record<string, unknown>): boolean {
  return (
    record['version'] === 1 &&
    typeof record['connectorKey'] === 'string' &&
    typeof record['tenant'] === 'string' &&
    (record['returnUrl'] === null || typeof record['returnUrl'] === 'string') &&
    (record['mode'] === 'redirect' || record['mode'] === 'popup') &&
    isOneTimeTokenField(record['connectToken']) &&
    typeof record['browserBindingHash'] === 'string' &&
    typeof record['createdAt'] === 'number' &&
    typeof record['expiresAt'] === 'number'
  )
}

/** Shape check of a stored record (a corrupt or foreign value must not crash the callback, S18). */
export function isPendingAuthorization(value: unknown): value is PendingAuthorization {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return (
    hasPendingFlowFields(record) &&
    (record['authOption'] === undefined || record['authOption'] === null || typeof record['authOption'] === 'string') &&
    typeof record['connectionInput'] === 'object' &&
    record['connectionInput'] !== null &&
    (record['codeVerifier'] === null || typeof record['codeVerifier'] === 'string') &&
    typeof record['redirectUri'] === 'string' &&
    typeof record['tokenUri'] === 'string' &&
    (record['issuer'] === null || typeof record['issuer'] === 'string') &&
    (record['jwksUri'] === null || typeof record['jwksUri'] === 'string') &&
    Array.isArray(record['scopes']) &&
    (record['discovered'] === undefined || record['discovered'] === null || isDiscoveredAuthorization(record['discovered'])) &&
    (record['connectionId'] === null || typeof record['connectionId'] === 'string')
  )
}
