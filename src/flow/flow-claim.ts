/**
 * The end of a flow's single use (S2) and of its connect URL's (S15), claimed together.
 *
 * The start route only verifies a connect token and writes the pending record: no Durable
 * Object round trip, and a link scanner's GET no longer burns a one-time URL. The record
 * remembers the token's `jti` (`OneTimeToken`); when the flow completes (OAuth2 or OAuth 1.0a
 * callback, a typed-credentials form's accepted post), `claimFlowCompletion` claims the flow's
 * own value and the jti in one call to ONE guard object, the jti's shard
 * (AuthorizationStateGuard.claimBoth): both or neither. So two flows started from one URL in
 * two browsers both reach the provider, but only the first to complete connects; the second
 * is refused with `invalid_connect_token` before any token request.
 */
import { LatchkeyError } from '../errors.ts'
import { claimOnce, stateGuardFor } from './authorization-state-guard.ts'
import { CLOCK_TOLERANCE_S } from './connect-token.ts'
import { CREDENTIAL_FORM_TTL_MS } from './credential-form-record.ts'
import type { OneTimeToken } from './one-time-token.ts'
import { PENDING_AUTHORIZATION_TTL_MS } from './pending-authorization.ts'

/** What a completion claims: the flow's own single-use value and the token it started with, if any. */
export interface FlowCompletion {
  /** The flow's claim value (an OAuth state, `oauth1:<flow id>`, `credential-form:<flow id>`). */
  value: string
  /** The flow's expiry (ms): its claim is kept at least until then. */
  notAfter: number
  /** The one-time token, or null (a token without `jti`, or a record stored before tokens were claimed at completion). */
  token: OneTimeToken | null | undefined
}

/**
 * The longest a started flow waits for its completion. A token starts flows until its expiry
 * plus the clock tolerance, each complete-able for this long after: the jti's claim is kept
 * until the last of them has expired, so no sibling flow outlives it.
 */
const LONGEST_FLOW_MS = Math.max(PENDING_AUTHORIZATION_TTL_MS, CREDENTIAL_FORM_TTL_MS)

/**
 * Claims a completing flow: its own value once (S2) and, when it started from a one-time URL,
 * the URL's jti once (S15), atomically. Throws `reused` when the flow was already completed,
 * `invalid_connect_token` when another flow from the same URL completed first.
 */
export async function claimFlowCompletion(env: Pick<Env, 'AUTHORIZATION_STATE_GUARDS'>, completion: FlowCompletion, reused: () => LatchkeyError): Promise<void> {
  const namespace = env.AUTHORIZATION_STATE_GUARDS
  const { value, notAfter, token } = completion
  if (token === null || token === undefined) {
    if (!(await claimOnce(namespace, 'state', value, notAfter))) throw reused()
    return
  }
  const tokenNotAfter = token.expiresAt + CLOCK_TOLERANCE_S * 1000 + LONGEST_FLOW_MS
  const outcome = await stateGuardFor(namespace, 'connect-token', token.id).claimBoth(value, notAfter, token.id, tokenNotAfter)
  if (outcome === 'flow-used') throw reused()
  if (outcome === 'token-used') throw connectUrlAlreadyUsed()
}

/** S15: another flow from the same one-time connect URL completed first. */
export function connectUrlAlreadyUsed(): LatchkeyError {
  return new LatchkeyError('invalid_connect_token', 'This connect URL was already used to connect. Ask the application for a new one.')
}
