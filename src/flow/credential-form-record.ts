/**
 * The pending credential form: a client-credentials connect flow between its start (a
 * verified connect token) and the form's successful post. Stored server-side in KV under a
 * random flow id, like an OAuth pending authorization under its state (S2, S3): bound to the
 * browser that started it, expiring after 10 minutes, spent once on success, with a copy in a
 * guard shard for a post KV has not caught up with (pending-store.ts). It holds only public
 * input (what the connect token set); what the user types is never stored here (S22).
 */
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { randomToken } from '../random-token.ts'
import type { Background } from './background.ts'
import { clearBindingCookie, isBoundBrowser, newBrowserBinding } from './browser-binding.ts'
import type { OneTimeToken } from './one-time-token.ts'
import { hasPendingFlowFields, type FlowMode, type FlowOrigin } from './pending-authorization.ts'
import { deletePendingRecord, loadPendingRecord, savePendingRecord, type PendingStoreEnv } from './pending-store.ts'

/** One started credential form, keyed by its flow id. */
export interface PendingCredentialForm {
  version: 1
  kind: 'credential-form'
  connectorKey: string
  /** The auth option chosen (connectors with `auth.options`), or null. */
  authOption: string | null
  tenant: string
  /** Who the tenant is, as the person knows it (the connect token's `name`, S21), or null. */
  displayName: string | null
  /** Public input the connect token set: fixed on the form, never from the browser. */
  fixedInput: Record<string, unknown>
  returnUrl: string | null
  mode: FlowMode
  /** The connection the form creates (a new id allocated at start) or replaces. */
  connectionId: string
  /** Whether `connectionId` is an existing connection being reconnected. */
  reconnect: boolean
  /**
   * The one-time connect token the flow started with, claimed with the flow id by the first
   * accepted post (S15, flow-claim.ts); null for a token without `jti`, and once claimed (a
   * form continued under a new flow id). Absent in records stored before.
   */
  connectToken?: OneTimeToken | null
  /** SHA-256 (base64url) of the nonce in the browser's binding cookie (S2). */
  browserBindingHash: string
  createdAt: number
  /** ms since epoch; 10 minutes after createdAt. */
  expiresAt: number
}

/** Lifetime of a credential form (S2: at most 10 minutes, as an OAuth state). */
export const CREDENTIAL_FORM_TTL_MS = 10 * 60_000

/** Flow ids are `randomToken()`s: 32 random bytes, base64url. */
const FLOW_ID_SHAPE = /^[A-Za-z0-9_-]{43}$/

const KEY_PREFIX = 'credential-form:'

/**
 * The binding cookie's "state" argument for a flow id. browser-binding.ts names cookies by
 * kind and the first 16 characters of what they bind; the prefix keeps a credential form's
 * cookie (`__Host-latchkey-flow-form-…`) apart from an OAuth state's.
 */
export function bindingSubject(flowId: string): string {
  return `form-${flowId}`
}

/** What the single-use guard claims for a flow id: apart from every OAuth state (which has no `:`). */
export function claimSubject(flowId: string): string {
  return `credential-form:${flowId}`
}

/** Whether `flowId` has the shape of a flow id (so it can be a storage key). */
export function isWellFormedFlowId(flowId: string): boolean {
  return FLOW_ID_SHAPE.test(flowId)
}

/** Where the flow started, as its ending reports it: a failed first connect names no connection (none was stored). */
export function flowOriginOf(record: PendingCredentialForm, connected: boolean): FlowOrigin {
  return {
    connectorKey: record.connectorKey,
    returnUrl: record.returnUrl,
    mode: record.mode,
    connectionId: connected || record.reconnect ? record.connectionId : null,
  }
}

/** Stores the record (KV, and the guard's copy in the background). `expiresAt` decides, not the stores' TTL. */
export async function saveCredentialForm(env: PendingStoreEnv, flowId: string, record: PendingCredentialForm, now: number, background: Background): Promise<void> {
  await savePendingRecord(env, KEY_PREFIX + flowId, record, now, background)
}

/**
 * The same pending form under a new flow id and a new binding cookie, the old id forgotten: after
 * a post spent its flow id and the provider refused the credentials, the person may correct them
 * until the form's original expiry. The post claimed the connect token with the old id, so the
 * new record has none left to claim. Returns the new id and the Set-Cookie values (clear the old
 * binding, set the new one).
 */
export async function rekeyCredentialForm(
  env: PendingStoreEnv,
  oldFlowId: string,
  record: PendingCredentialForm,
  now: number,
  background: Background,
): Promise<{ flowId: string; record: PendingCredentialForm; setCookies: string[] }> {
  const flowId = randomToken()
  const binding = await newBrowserBinding(bindingSubject(flowId), Math.max(1, Math.ceil((record.expiresAt - now) / 1000)))
  const next: PendingCredentialForm = { ...record, connectToken: null, browserBindingHash: binding.hash }
  await saveCredentialForm(env, flowId, next, now, background)
  await deleteCredentialForm(env, oldFlowId, background)
  return { flowId, record: next, setCookies: [clearBindingCookie(bindingSubject(oldFlowId)), binding.setCookie] }
}

/** Forgets the record and its copy (a spent flow); KV may still serve it elsewhere for a while, so the claim decides. */
export async function deleteCredentialForm(env: PendingStoreEnv, flowId: string, background: Background): Promise<void> {
  await deletePendingRecord(env, KEY_PREFIX + flowId, background)
}

/**
 * S2 for the form: the record (KV, or the guard's copy on a KV miss) of a well-formed, known,
 * unexpired flow id, presented by the browser that started it. Throws the OAuth state's error
 * codes (`state_missing`, `state_unknown`, `state_expired`, `state_browser_mismatch`), with
 * messages about the form.
 */
export async function acceptCredentialForm(env: PendingStoreEnv, flowId: string, cookieHeader: string | null, now: number): Promise<PendingCredentialForm> {
  if (flowId === '') {
    throw new LatchkeyError('state_missing', 'This form has no flow parameter. Start the connection again from the application.')
  }
  const unknown = new LatchkeyError('state_unknown', 'This form is unknown, was already used, or was cleaned up. Start the connection again from the application.')
  if (!isWellFormedFlowId(flowId)) throw unknown
  const stored = await loadPendingRecord(env, KEY_PREFIX + flowId)
  if (!isPendingCredentialForm(stored)) throw unknown
  if (now >= stored.expiresAt) {
    throw new LatchkeyError('state_expired', 'This form was opened more than 10 minutes ago and expired. Start the connection again.')
  }
  if (!(await isBoundBrowser(cookieHeader, bindingSubject(flowId), stored.browserBindingHash))) {
    throw new LatchkeyError('state_browser_mismatch', 'This form was opened in another browser (or its cookie was blocked). Start the connection again in this browser.')
  }
  return stored
}

/** Shape check of a stored record (a corrupt or foreign value must not crash the form, S18). */
export function isPendingCredentialForm(value: unknown): value is PendingCredentialForm {
  if (!isRecord(value)) return false
  return (
    hasPendingFlowFields(value) &&
    value['kind'] === 'credential-form' &&
    (value['authOption'] === null || typeof value['authOption'] === 'string') &&
    (value['displayName'] === null || typeof value['displayName'] === 'string') &&
    isRecord(value['fixedInput']) &&
    typeof value['connectionId'] === 'string' &&
    typeof value['reconnect'] === 'boolean'
  )
}
