/**
 * Trust boundary: the two values of the user verifier (S21, user-verification.ts), both MACs
 * under keys only Latchkey holds (HKDF-derived per purpose, signing-keys.ts):
 *
 *   flow token    `<flow id>.<expiry, unix s>.<MAC>` sent to the application's verify URL. The
 *                 MAC covers the flow id, the expiry and the tenant that started the flow, so
 *                 it checks out only with that tenant: the application's confirmation names
 *                 its logged-in user's tenant, and any other tenant is refused without a lookup.
 *   confirmation  a MAC of the flow id and tenant that Latchkey hands the application once it
 *                 confirmed; the browser brings it back, so a browser that skipped or failed the
 *                 application's check cannot finish the flow.
 *
 * Each input is one line after a label no JWT or other Latchkey MAC input starts with.
 */
import { base64UrlEncode } from '../base64url.ts'
import { signingKey } from './signing-keys.ts'

/** Flow ids are 32 random bytes, base64url. */
const FLOW_ID_SHAPE = /^[A-Za-z0-9_-]{43}$/
const FLOW_TOKEN_SHAPE = /^([A-Za-z0-9_-]{43})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/
const MAC_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** A flow token's parts once its shape is checked (its MAC is checked by `flowTokenMatches`). */
export interface FlowTokenParts {
  flowId: string
  /** ms since epoch. */
  expiresAt: number
  mac: string
}

/** Whether `value` has the shape of a flow id (so it can be used as a storage key). */
export function isWellFormedFlowId(value: string): boolean {
  return FLOW_ID_SHAPE.test(value)
}

/** The flow token for the verify URL; `expiresAt` in ms (kept to whole seconds). */
export async function makeFlowToken(secret: string | undefined, flowId: string, tenant: string, expiresAt: number): Promise<string> {
  const expirySeconds = Math.floor(expiresAt / 1000)
  return `${flowId}.${expirySeconds}.${await mac(secret, 'user-verification', flowTokenText(flowId, expirySeconds, tenant))}`
}

/** The parts of a flow token, or null when it is not shaped like one. */
export function parseFlowToken(value: unknown): FlowTokenParts | null {
  const match = typeof value === 'string' ? FLOW_TOKEN_SHAPE.exec(value) : null
  if (match === null) return null
  return { flowId: match[1] ?? '', expiresAt: Number(match[2]) * 1000, mac: match[3] ?? '' }
}

/** Whether the token was made by this Latchkey for a flow of `tenant` (constant time). */
export function flowTokenMatches(secret: string | undefined, token: FlowTokenParts, tenant: string): Promise<boolean> {
  return verifyMac(secret, 'user-verification', flowTokenText(token.flowId, token.expiresAt / 1000, tenant), token.mac)
}

/** The confirmation of a flow for `tenant`. */
export function makeConfirmation(secret: string | undefined, flowId: string, tenant: string): Promise<string> {
  return mac(secret, 'user-confirmation', confirmationText(flowId, tenant))
}

/** Whether `value` is the confirmation of this flow for `tenant` (constant time). */
export function confirmationMatches(secret: string | undefined, flowId: string, tenant: string, value: string): Promise<boolean> {
  return verifyMac(secret, 'user-confirmation', confirmationText(flowId, tenant), value)
}

function flowTokenText(flowId: string, expirySeconds: number, tenant: string): string {
  return ['latchkey-user-verification:v1', flowId, String(expirySeconds), tenant].join('\n')
}

function confirmationText(flowId: string, tenant: string): string {
  return ['latchkey-user-confirmation:v1', flowId, tenant].join('\n')
}

async function mac(secret: string | undefined, purpose: 'user-verification' | 'user-confirmation', text: string): Promise<string> {
  const signature = await crypto.subtle.sign('HMAC', await signingKey(secret, purpose), new TextEncoder().encode(text))
  return base64UrlEncode(new Uint8Array(signature))
}

async function verifyMac(secret: string | undefined, purpose: 'user-verification' | 'user-confirmation', text: string, value: string): Promise<boolean> {
  if (!MAC_SHAPE.test(value)) return false
  const bytes = Uint8Array.from(atob(value.replace(/-/g, '+').replace(/_/g, '/')), (character) => character.charCodeAt(0))
  return crypto.subtle.verify('HMAC', await signingKey(secret, purpose), bytes, new TextEncoder().encode(text))
}
