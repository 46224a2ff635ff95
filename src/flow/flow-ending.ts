/**
 * How a connect flow ends once its state was accepted. With a return URL in redirect mode: a 303
 * to it with `connection_id` and `status` (or `error`). Otherwise (popup mode, or no return URL)
 * a 303 to the result route, which shows a small page or posts the result to the popup's opener.
 * The callback itself never answers with a page (S7): the code leaves the URL.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ERROR_CODES, isLatchkeyError } from '../errors.ts'
import type { HttpEnv } from '../http/http-env.ts'
import { readSettings, type Settings } from '../settings.ts'
import type { CallbackOutcome } from './complete-authorization.ts'
import { flowResultUrl, type FlowResult } from './flow-result.ts'
import { errorPage, popupResultPage, successPage, type ConnectResultMessage } from './pages.ts'
import { checkReturnUrl } from './return-url.ts'

/** The outcome as the result route and the return URL carry it (no message: it stays in the logs). */
function flowResultOf(outcome: CallbackOutcome, popupOrigin: string | null): FlowResult {
  if (outcome.ok) {
    return { status: outcome.summary.status, connectionId: outcome.summary.connectionId, error: null, providerError: null, popupOrigin }
  }
  return { status: 'failed', connectionId: outcome.record.connectionId, error: outcome.error.code, providerError: outcome.providerError, popupOrigin }
}

/** The response that ends the flow: always a 303, to the app's return URL or to the result route. */
export async function endFlow(c: Context<HttpEnv>, outcome: CallbackOutcome): Promise<Response> {
  const { record } = outcome
  if (!outcome.ok) {
    // The page and the app get the code only; the developer message is for the Worker logs.
    console.warn(`latchkey: connect flow for connector "${record.connectorKey}" failed (${outcome.error.code}): ${outcome.error.message}`)
  }
  const settings = readSettings(c.env)
  const returnUrl = stillAllowedReturnUrl(settings, record.returnUrl)
  if (returnUrl === null || record.mode === 'popup') {
    const popupOrigin = returnUrl !== null && record.mode === 'popup' ? returnUrl.origin : null
    return c.redirect(await flowResultUrl(settings, flowResultOf(outcome, popupOrigin)), 303)
  }
  const result = flowResultOf(outcome, null)
  if (result.connectionId !== null) returnUrl.searchParams.set('connection_id', result.connectionId)
  if (result.error === null) returnUrl.searchParams.set('status', result.status)
  else returnUrl.searchParams.set('error', result.error)
  if (result.providerError !== null) returnUrl.searchParams.set('provider_error', result.providerError)
  return c.redirect(returnUrl.toString(), 303)
}

/**
 * The return URL, re-checked because the allowlist may have changed since the flow started
 * (S8). One no longer allowed ends the flow on Latchkey's own result page instead.
 */
function stillAllowedReturnUrl(settings: Settings, returnUrl: string | null): URL | null {
  if (returnUrl === null) return null
  try {
    return checkReturnUrl(returnUrl, settings.allowedReturnOrigins)
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    console.warn('latchkey: the return URL of a finished connect flow is no longer allowed (ALLOWED_RETURN_ORIGINS); showing the result page instead.')
    return null
  }
}

/** The result route's answer: the popup page posting the result, a success page, or an error page. */
export function showFlowResult(c: Context<HttpEnv>, result: FlowResult): Response | Promise<Response> {
  const nonce = c.get('cspNonce')
  const brand = readSettings(c.env).brand
  if (result.popupOrigin !== null) return c.html(popupResultPage(nonce, result.popupOrigin, resultMessage(result), brand))
  if (result.error === null) return c.html(successPage(nonce, result.connectionId ?? '', result.status, { brand }))
  return c.html(errorPage(nonce, result.error, failureExplanation(result), { brand }), ERROR_CODES[result.error] as ContentfulStatusCode)
}

/** What the popup posts to its opener. */
function resultMessage(result: FlowResult): ConnectResultMessage {
  const message: ConnectResultMessage = { type: 'latchkey:connect', status: result.status }
  if (result.connectionId !== null) message.connectionId = result.connectionId
  if (result.error !== null) message.error = result.error
  if (result.providerError !== null) message.providerError = result.providerError
  return message
}

/** The error page's text: the result carries codes only, so it explains by code. */
function failureExplanation(result: FlowResult): string {
  if (result.error === 'provider_denied') return 'Access was denied at the provider: the connection was not approved.'
  if (result.providerError !== null) return `The provider answered the authorization with the error "${result.providerError}".`
  return 'The connection could not be completed. Start it again from the application; the Latchkey Worker logs say why it failed.'
}
