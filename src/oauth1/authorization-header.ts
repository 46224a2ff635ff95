/**
 * RFC 5849 section 3.5.1: the `Authorization: OAuth ...` header of one signed request, for the
 * token requests of the flow and for every API request of an oauth1 connection (API client and
 * proxy). Protocol parameters travel only in this header, never in the URL or body, so no
 * token, nonce or signature lands in a log line that records URLs.
 */
import { randomToken } from '../random-token.ts'
import { percentEncode } from './percent-encode.ts'
import { sign, type OAuth1SignatureMethod } from './signature.ts'
import { requestParameters, signatureBaseString, type ParameterPair } from './signature-base-string.ts'

/** What signs an oauth1 connection's requests: the client (consumer) credentials and, once authorized, the token credentials. */
export interface OAuth1Keys {
  consumerKey: string
  consumerSecret: string
  /** The access token; the request token during the access-token request; null for the request-token request. */
  token: string | null
  tokenSecret: string | null
  signatureMethod: OAuth1SignatureMethod
}

/** One request to sign, as it will be sent. */
export interface OAuth1Request {
  method: string
  /** The absolute URL, query included: its query parameters are signed. */
  url: string
  /** The raw body when it is application/x-www-form-urlencoded (its parameters are signed), else null. */
  formBody: string | null
}

/** A fixed nonce and timestamp, for test vectors; left out, each call draws fresh ones. */
export interface OAuth1Freshness {
  nonce: string
  /** Seconds since the epoch, as a decimal string. */
  timestamp: string
}

/**
 * The `OAuth ...` value of the Authorization header for `request`, signed with `keys`
 * (section 3.4) over a fresh nonce and timestamp (section 3.3).
 */
export function oauth1Authorization(request: OAuth1Request, keys: OAuth1Keys, fresh?: OAuth1Freshness): Promise<string> {
  return signedAuthorization(request, keys, {}, fresh)
}

/**
 * Like `oauth1Authorization`, with protocol parameters of the token requests added
 * (`oauth_callback` for the request token, `oauth_verifier` for the access token, section 2).
 */
export async function signedAuthorization(request: OAuth1Request, keys: OAuth1Keys, extraProtocolParameters: Record<string, string>, fresh?: OAuth1Freshness): Promise<string> {
  const url = parseRequestUrl(request.url)
  const protocol: Record<string, string> = {
    ...extraProtocolParameters,
    oauth_consumer_key: keys.consumerKey,
    oauth_signature_method: keys.signatureMethod,
    oauth_timestamp: fresh?.timestamp ?? String(Math.floor(Date.now() / 1000)),
    // 256 random bits: a provider that remembers nonces per timestamp never sees one twice.
    oauth_nonce: fresh?.nonce ?? randomToken(),
    oauth_version: '1.0',
  }
  if (keys.token !== null) protocol['oauth_token'] = keys.token
  const parameters: ParameterPair[] = [...requestParameters(url, request.formBody), ...Object.entries(protocol)]
  const baseString = signatureBaseString(request.method, url, parameters)
  protocol['oauth_signature'] = await sign(keys.signatureMethod, baseString, keys.consumerSecret, keys.tokenSecret)
  return authorizationHeaderValue(protocol)
}

/** Section 3.5.1: `OAuth name="value", ...`, names and values percent-encoded, in name order so it is deterministic. */
export function authorizationHeaderValue(protocolParameters: Record<string, string>): string {
  const fields = Object.entries(protocolParameters)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${percentEncode(name)}="${percentEncode(value)}"`)
  return `OAuth ${fields.join(', ')}`
}

function parseRequestUrl(value: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    // The URL is not quoted: it may carry a key in its query.
    throw new TypeError('OAuth 1.0a can only sign a request to an absolute URL.')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('OAuth 1.0a signs http and https requests only.')
  return url
}
