/**
 * How a connect flow ends once its state was accepted: a 303 to the app's return URL with
 * `connection_id` and `status` (or `error`), a popup page posting the same to the opener, or
 * a small page when the app gave no return URL.
 */
import type { Context } from 'hono'
import { checkReturnUrl } from './return-url.ts'
import type { CallbackOutcome } from './complete-authorization.ts'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { errorPage, pageSecurity, popupResultPage, successPage, type ConnectResultMessage } from './pages.ts'
import { allowedReturnOriginsOf } from './settings.ts'

/** The result as the app receives it (query parameters or postMessage fields). */
export function resultMessage(outcome: CallbackOutcome): ConnectResultMessage {
  if (outcome.ok) return { type: 'latchkey:connect', status: outcome.summary.status, connectionId: outcome.summary.connectionId }
  const message: ConnectResultMessage = { type: 'latchkey:connect', status: 'failed', error: outcome.error.code }
  if (outcome.record.connectionId !== null) message.connectionId = outcome.record.connectionId
  if (outcome.providerError !== null) message.providerError = outcome.providerError
  return message
}

/** The response that ends the flow. */
export function endFlow(c: Context<{ Bindings: Env }>, outcome: CallbackOutcome): Response | Promise<Response> {
  const { nonce, headers } = pageSecurity()
  const { record } = outcome
  const message = resultMessage(outcome)
  if (record.returnUrl === null) {
    if (outcome.ok) return c.html(successPage(nonce, outcome.summary.connectionId, outcome.summary.status), 200, headers)
    return c.html(errorPage(nonce, outcome.error.code, outcome.error.message), outcome.error.status as ContentfulStatusCode, headers)
  }
  // Re-checked: the allowlist may have changed since the flow started (S8).
  const returnUrl = checkReturnUrl(record.returnUrl, allowedReturnOriginsOf(c.env))
  if (record.mode === 'popup') return c.html(popupResultPage(nonce, returnUrl.origin, message), 200, headers)

  if (message.connectionId !== undefined) returnUrl.searchParams.set('connection_id', message.connectionId)
  if (outcome.ok) returnUrl.searchParams.set('status', message.status)
  else returnUrl.searchParams.set('error', outcome.error.code)
  if (message.providerError !== undefined) returnUrl.searchParams.set('provider_error', message.providerError)
  return c.redirect(returnUrl.toString(), 303)
}
