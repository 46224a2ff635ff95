/**
 * `latchkey:oauth2`, the module connector code imports for an OAuth2 client-credentials grant
 * (RFC 6749 section 4.4): machine-to-machine access without a user redirect. In the format such a
 * connector is `type: client-credentials` whose `refreshCredentials` asks the token endpoint for
 * a new token, and Latchkey runs that method once when the connection is created and again
 * before each token expires (connection/first-grant.ts, the single-flight refresh):
 *
 *   import { clientCredentialsGrant } from 'latchkey:oauth2'
 *   export default ({ credentials }) =>
 *     clientCredentialsGrant({ tokenUri: 'https://api.example.com/oauth/token', clientId: credentials.clientId, clientSecret: credentials.clientSecret })
 *
 * The request is built and the response validated by the same code as Latchkey's own token
 * requests (S9, S11), so the connector hand-writes neither.
 */
import { LatchkeyError } from '../errors.ts'
import { isLoopbackHost } from '../loopback-host.ts'
import type { OAuthConfig } from '../oauth/oauth-config.ts'
import { sendTokenRequest } from '../oauth/send-token-request.ts'
import { processTokenResponse } from '../oauth/token-response.ts'

/** What the token request needs. */
export interface ClientCredentialsGrantOptions {
  /** The token endpoint: https (http only on a loopback host, for local tests). */
  tokenUri: string
  clientId: string
  clientSecret: string
  /** Sent space-separated as `scope` when not empty. */
  scopes?: string[]
  /** `headers`: HTTP Basic; `body`: client_id/client_secret form fields; unspecified: both (the format's rule). */
  clientAuthLocation?: 'headers' | 'body'
  /** More form parameters (e.g. `audience`); they cannot replace grant_type, scope or the client's. */
  extra?: Record<string, string>
  /** Abort after this long (default 10 s). */
  timeoutMs?: number
}

/**
 * The token response's fields (`access_token`, `token_type`, `expires_in`, `scope`...), which
 * Latchkey merges into the credentials, computing `expires_at`; or `{ error }` when the endpoint
 * answered an OAuth error (`invalid_client` makes the connection need the user again). Throws,
 * with a message that quotes no secret, when no usable answer came.
 */
export async function clientCredentialsGrant(options: ClientCredentialsGrantOptions): Promise<Record<string, unknown>> {
  const { tokenUri, clientId, clientSecret, scopes = [], clientAuthLocation, extra = {}, timeoutMs = 10_000 } = options
  checkTokenUri(tokenUri)
  if (typeof clientId !== 'string' || clientId === '' || typeof clientSecret !== 'string' || clientSecret === '') {
    throw misconfigured('clientId and clientSecret must be non-empty strings.')
  }
  const params: Record<string, string> = {}
  for (const [name, value] of Object.entries(extra)) {
    if (OWNED_PARAMETERS.includes(name)) throw misconfigured(`extra cannot set ${name}: the grant sets it.`)
    params[name] = String(value)
  }
  params['grant_type'] = 'client_credentials'
  if (scopes.length > 0) params['scope'] = scopes.join(' ')
  // Only what buildTokenRequest reads matters; the rest describes an authorization code flow.
  const config: OAuthConfig = {
    clientId,
    clientSecret,
    tokenUri,
    authorizeUri: tokenUri,
    scopes,
    noRefreshToken: true,
    skipPkce: true,
    extra: {},
    ...(clientAuthLocation !== undefined && { clientAuthLocation }),
  }
  const sent = await sendTokenRequest(config, params, timeoutMs)
  if (!sent.ok) throw new Error(sent.timedOut ? `the token endpoint did not answer within ${timeoutMs} ms` : 'the token request failed on the network')
  const result = await processTokenResponse(sent.response, Date.now())
  if (result.ok) return { ...result.tokens }
  const { failure } = result
  if (failure.kind === 'oauth_error') return { error: failure.error }
  throw new Error(failure.kind === 'http_error' ? `the token endpoint answered HTTP ${failure.status}` : `the token response is invalid: ${failure.reason}`)
}

const OWNED_PARAMETERS = ['grant_type', 'scope', 'client_id', 'client_secret']

function checkTokenUri(tokenUri: unknown): void {
  let url: URL
  try {
    url = new URL(String(tokenUri))
  } catch {
    throw misconfigured('tokenUri must be an absolute URL.')
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) throw misconfigured('tokenUri must be https.')
}

function misconfigured(message: string): LatchkeyError {
  return new LatchkeyError('connector_misconfigured', `clientCredentialsGrant: ${message}`)
}
