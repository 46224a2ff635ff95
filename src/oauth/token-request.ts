/**
 * Builds requests to a token endpoint (RFC 6749 sections 4.1.3 and 6): a form POST with
 * client authentication exactly where the connector says (S9).
 */
import type { OAuthConfig } from './oauth-config.ts'

/**
 * A form-encoded POST to `config.tokenUri` with `Accept: application/json` carrying `params`
 * (grant_type, code, ...) and the client authentication: `headers` = HTTP Basic only,
 * `body` = client_id/client_secret form fields only, unspecified = both (the seed's rule).
 * Without a clientSecret the client is public and sends client_id in the body. A discovered
 * connection's `resource` goes into every token request (RFC 8707 section 2.2).
 * Send it with `fetch`, then pass the response to `processTokenResponse`.
 */
export function buildTokenRequest(config: OAuthConfig, params: Record<string, string>): Request {
  const body = new URLSearchParams(params)
  if (config.resource !== undefined) body.set('resource', config.resource)
  const headers = new Headers({
    'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
    Accept: 'application/json',
  })
  const secret = config.clientSecret
  if (secret === undefined) {
    body.set('client_id', config.clientId)
  } else {
    if (config.clientAuthLocation !== 'body') headers.set('Authorization', basicAuthorization(config.clientId, secret))
    if (config.clientAuthLocation !== 'headers') {
      body.set('client_id', config.clientId)
      body.set('client_secret', secret)
    }
  }
  return new Request(config.tokenUri, { method: 'POST', headers, body: body.toString(), redirect: 'manual' })
}

/**
 * HTTP Basic client authentication per RFC 6749 section 2.3.1: id and secret are each
 * form-urlencoded (Appendix B) before `id:secret` is base64-encoded.
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${btoa(`${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`)}`
}

/** application/x-www-form-urlencoded encoding of one value (space -> `+`, `:` -> `%3A`). */
export function formUrlEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1)
}
