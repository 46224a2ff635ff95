/**
 * The two signed token requests of the OAuth 1.0a flow (RFC 5849 section 2): temporary
 * credentials (the request token) with `oauth_callback`, and token credentials (the access
 * token) with the request token, its secret and `oauth_verifier`. Both are POSTs with the
 * protocol parameters in the Authorization header only, under the token request timeout;
 * redirects are not followed (a token endpoint that redirects is refused, as for OAuth2).
 */
import { signedAuthorization, type OAuth1Keys } from './authorization-header.ts'
import type { OAuth1Config } from './oauth1-config.ts'
import { failure, readOAuth1TokenResponse, type OAuth1Exchange, type OAuth1TokenResponse } from './token-response.ts'

/** The request token and its secret (section 2.1's temporary credentials). */
export interface TemporaryCredentials {
  token: string
  secret: string
}

/**
 * Section 2.1: obtains a request token for `callbackUri` (the one fixed callback). Requires
 * `oauth_callback_confirmed=true`, which tells an OAuth 1.0a provider from a 1.0 one that
 * would not bind the callback to the token (the session fixation 1.0a fixed).
 */
export async function requestTemporaryCredentials(config: OAuth1Config, callbackUri: string, timeoutMs: number): Promise<TemporaryCredentials> {
  const keys = clientKeys(config, null, null)
  const response = await sendSigned(config.requestTokenUri, keys, { oauth_callback: callbackUri }, 'request token', timeoutMs)
  const fields = await readOAuth1TokenResponse(response, 'request token')
  if (fields['oauth_callback_confirmed'] !== 'true') {
    throw failure('request token', 'answered without oauth_callback_confirmed=true (an OAuth 1.0 provider, not 1.0a, or the callback was refused)')
  }
  return { token: fields.oauth_token, secret: fields.oauth_token_secret }
}

/**
 * Section 2.3: exchanges the authorized request token and the verifier for the token
 * credentials, at `tokenUri` (the one pinned when the flow started).
 */
export async function requestTokenCredentials(
  config: OAuth1Config,
  tokenUri: string,
  temporary: TemporaryCredentials,
  verifier: string,
  timeoutMs: number,
): Promise<OAuth1TokenResponse> {
  const keys = clientKeys(config, temporary.token, temporary.secret)
  const response = await sendSigned(tokenUri, keys, { oauth_verifier: verifier }, 'access token', timeoutMs)
  return readOAuth1TokenResponse(response, 'access token')
}

/** The signing keys of a connector's client credentials with an optional token. */
export function clientKeys(config: OAuth1Config, token: string | null, tokenSecret: string | null): OAuth1Keys {
  return { consumerKey: config.consumerKey, consumerSecret: config.consumerSecret, token, tokenSecret, signatureMethod: config.signatureMethod }
}

async function sendSigned(uri: string, keys: OAuth1Keys, protocol: Record<string, string>, exchange: OAuth1Exchange, timeoutMs: number): Promise<Response> {
  const authorization = await signedAuthorization({ method: 'POST', url: uri, formBody: null }, keys, protocol)
  const request = new Request(uri, { method: 'POST', headers: { Authorization: authorization }, redirect: 'manual' })
  try {
    return await fetch(request, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (cause) {
    const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError')
    throw failure(exchange, timedOut ? `did not answer within ${timeoutMs} ms` : 'could not be reached', cause)
  }
}
