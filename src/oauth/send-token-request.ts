/**
 * Sends one request to a token endpoint, for the code exchange and the refresh grant alike:
 * `buildTokenRequest`, then `fetch` under a timeout, with a network failure or timeout
 * returned as a value instead of thrown, so each caller decides what it means (the exchange
 * fails, a refresh retries). The response itself goes to `processTokenResponse`.
 */
import type { OAuthConfig } from './oauth-config.ts'
import { buildTokenRequest } from './token-request.ts'

/** The token endpoint's response, or why none came: no answer within the timeout, or a network failure. */
export type TokenRequestResult = { ok: true; response: Response } | { ok: false; timedOut: boolean; cause: unknown }

/**
 * POSTs `params` (grant_type, code, ...) with the client authentication of `config` to
 * `config.tokenUri`, aborting after `timeoutMs` (`TOKEN_REQUEST_TIMEOUT_MS`). Redirects are
 * not followed (`buildTokenRequest`).
 */
export async function sendTokenRequest(config: OAuthConfig, params: Record<string, string>, timeoutMs: number): Promise<TokenRequestResult> {
  try {
    return { ok: true, response: await fetch(buildTokenRequest(config, params), { signal: AbortSignal.timeout(timeoutMs) }) }
  } catch (cause) {
    const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError')
    return { ok: false, timedOut, cause }
  }
}
