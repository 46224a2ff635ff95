/**
 * The optional user verifier (S21): with `USER_VERIFY_URL` set, a connect flow completes only
 * when the application confirms, server to server, that the person in the browser finishing
 * it is its user of the tenant that started it. This closes login CSRF through forwarded or
 * planted connect links: the provider account in the browser can land only in the account
 * of whoever is logged in to the application in that browser.
 *
 *   1. The callback is accepted as always (S2, S6, S7; the connect URL's jti is claimed with
 *      the state there, S15); then, instead of exchanging the code,
 *      it parks the callback under a new flow id (awaiting-verification.ts), binds the browser
 *      to it with a cookie, and answers 303 to `USER_VERIFY_URL?latchkey_flow=<flow token>`
 *      (user-verification-token.ts). The code has left the URL; nothing is stored yet.
 *   2. The application's verify page looks at its logged-in user and confirms the flow token
 *      for that user's tenant: RPC `confirmUserVerification(flow, tenant)` or
 *      `POST /oauth/verify-user` signed with USER_VERIFY_SECRET. A token for another tenant,
 *      forged or expired is refused (`user_verification_failed`, `user_verification_expired`);
 *      a confirmed one gets the URL the browser goes back to.
 *   3. `GET /oauth/verified?flow&confirmation` in the same browser (its binding cookie), with
 *      the confirmation for the flow's tenant, once (AuthorizationStateGuard): now the code is
 *      exchanged and the connection stored, and the flow ends like any other.
 *
 * Without confirmation within USER_VERIFICATION_TTL_MS nothing is exchanged or stored.
 */
import { LatchkeyError } from '../errors.ts'
import { randomToken } from '../random-token.ts'
import type { Settings, UserVerificationSettings } from '../settings.ts'
import { claimOnce } from './authorization-state-guard.ts'
import type { Background } from './background.ts'
import { deleteAwaitingVerification, loadAwaitingVerification, saveAwaitingVerification, USER_VERIFICATION_TTL_MS, type AwaitingVerification } from './awaiting-verification.ts'
import { isBoundBrowser, newBrowserBinding } from './browser-binding.ts'
import type { CallbackQuery } from './callback-query.ts'
import type { PendingAuthorization } from './pending-authorization.ts'
import { parseUniqueQuery } from './query-string.ts'
import { confirmationMatches, flowTokenMatches, isWellFormedFlowId, makeConfirmation, makeFlowToken, parseFlowToken } from './user-verification-token.ts'

/** The route the browser comes back to once the application confirmed. */
export const VERIFIED_PATH = '/oauth/verified'
/** The query parameter of the verify URL that carries the flow token. */
export const FLOW_TOKEN_PARAMETER = 'latchkey_flow'

/** Where the callback sends the browser instead of finishing, and the cookie that binds it. */
export interface UserVerificationStart {
  location: string
  setCookie: string
}

/** A flow the browser brought back with a valid confirmation, claimed: finish it. */
export interface VerifiedFlow {
  flowId: string
  record: PendingAuthorization
  query: CallbackQuery
}

/** Step 1: parks the accepted callback and returns the redirect to the application's verify URL. */
export async function beginUserVerification(
  env: Env,
  settings: Settings,
  verifier: UserVerificationSettings,
  record: PendingAuthorization,
  query: CallbackQuery,
  now: number,
  background: Background,
): Promise<UserVerificationStart> {
  const flowId = randomToken()
  const binding = await newBrowserBinding(flowId, USER_VERIFICATION_TTL_MS / 1000, 'verify')
  const expiresAt = now + USER_VERIFICATION_TTL_MS
  const waiting: AwaitingVerification = { version: 1, record, query, browserBindingHash: binding.hash, expiresAt }
  await saveAwaitingVerification(env, flowId, waiting, now, background)
  const location = new URL(verifier.url)
  location.searchParams.set(FLOW_TOKEN_PARAMETER, await makeFlowToken(settings.connectTokenSecret, flowId, record.tenant, expiresAt))
  return { location: location.toString(), setCookie: binding.setCookie }
}

/**
 * Step 2, for the application's server: confirms that its logged-in user is `tenant` and the
 * flow token is one this Latchkey issued for that tenant, unexpired. Returns the URL to send
 * the browser to. Throws `user_verification_failed` or `user_verification_expired`.
 */
export async function confirmUserVerification(settings: Settings, flowToken: unknown, tenant: unknown, now: number): Promise<{ url: string }> {
  const token = parseFlowToken(flowToken)
  if (token === null) throw failed('The flow token is not one Latchkey issued (pass the latchkey_flow parameter of the verify URL as it is).')
  if (typeof tenant !== 'string' || tenant === '' || tenant.length > 256) throw new LatchkeyError('invalid_request', 'tenant must be a string of 1 to 256 characters.')
  // The MAC binds the expiry, so a late token is refused as expired only once it is known to be genuine.
  if (!(await flowTokenMatches(settings.connectTokenSecret, token, tenant))) {
    throw failed('The flow was not started for this tenant (or the flow token was not issued by this Latchkey): nothing is connected.')
  }
  if (now >= token.expiresAt) throw expired()
  const url = new URL(VERIFIED_PATH, settings.publicOrigin)
  url.searchParams.set('flow', token.flowId)
  url.searchParams.set('confirmation', await makeConfirmation(settings.connectTokenSecret, token.flowId, tenant))
  return { url: url.toString() }
}

/**
 * Step 3: the browser's way back (raw query without `?`). The flow must be waiting, unexpired,
 * bound to this browser, confirmed for its own tenant, and unused; it is then claimed and its
 * parked callback removed. Throws `user_verification_failed`, `user_verification_expired`,
 * `state_browser_mismatch` or `state_reused`: nothing is stored.
 */
export async function acceptVerifiedReturn(env: Env, settings: Settings, search: string, cookieHeader: string | null, now: number, background: Background): Promise<VerifiedFlow> {
  const query = parseUniqueQuery(search)
  const flowId = query['flow'] ?? ''
  const unknown = failed('This verification is unknown or was cleaned up. Start the connection again from the application.')
  if (!isWellFormedFlowId(flowId)) throw unknown
  const waiting = await loadAwaitingVerification(env, flowId)
  if (waiting === null) throw unknown
  if (now >= waiting.expiresAt) throw expired()
  if (!(await isBoundBrowser(cookieHeader, flowId, waiting.browserBindingHash, 'verify'))) {
    throw new LatchkeyError('state_browser_mismatch', 'This connection was authorized in another browser (or its cookie was blocked). Start the connection again in this browser.')
  }
  if (!(await confirmationMatches(settings.connectTokenSecret, flowId, waiting.record.tenant, query['confirmation'] ?? ''))) {
    throw failed('The application did not confirm that you are the user this connection is for: nothing is connected.')
  }
  if (!(await claimOnce(env.AUTHORIZATION_STATE_GUARDS, 'user-verification', flowId, waiting.expiresAt))) {
    throw new LatchkeyError('state_reused', 'This connection was already completed. Start the connection again to reconnect.')
  }
  await deleteAwaitingVerification(env, flowId, background)
  return { flowId, record: waiting.record, query: waiting.query }
}

function failed(message: string): LatchkeyError {
  return new LatchkeyError('user_verification_failed', message)
}

function expired(): LatchkeyError {
  return new LatchkeyError(
    'user_verification_expired',
    `The application did not confirm this connection within ${USER_VERIFICATION_TTL_MS / 60_000} minutes. Start the connection again.`,
  )
}
