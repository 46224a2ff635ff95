/**
 * S23: every API request of an oauth1 connection, from the API client connector methods get and
 * from the proxy alike, is signed (RFC 5849 section 3.4) with the connector's consumer
 * credentials and the connection's token credentials, just before it is sent.
 */
import { LatchkeyError } from '../errors.ts'
import { oauth1Authorization } from '../oauth1/authorization-header.ts'
import { resolveOAuth1Config, type OAuth1Config } from '../oauth1/oauth1-config.ts'
import { clientKeys } from '../oauth1/token-requests.ts'
import type { ConnectorContext } from '../registry/connector-context.ts'
import type { CompiledConnector } from '../registry/types.ts'
import type { Settings } from '../settings.ts'

type Credentials = Record<string, unknown>

/** Signs one request about to be sent with `credentials`. */
export type RequestSigner = (request: Request, credentials: Credentials) => Promise<Request>

/**
 * The signer of `connector`'s API requests, or null when its auth type signs nothing. The
 * connector's getOAuthConfig runs once per signer (one per operation), not per request. A
 * request whose makeApiClient already wrote an Authorization header is sent as the connector
 * wrote it.
 */
export function oauth1RequestSigner(connector: CompiledConnector, settings: Settings, context: ConnectorContext): RequestSigner | null {
  if (connector.auth.type !== 'oauth1') return null
  let config: Promise<OAuth1Config> | null = null
  return async (request, credentials) => {
    if (request.headers.has('Authorization')) return request
    config ??= resolveOAuth1Config(connector, settings, { ...context, redirectUri: settings.redirectUri })
    const token = credentials['oauth_token']
    const tokenSecret = credentials['oauth_token_secret']
    if (typeof token !== 'string' || token === '' || typeof tokenSecret !== 'string') {
      throw new LatchkeyError('needs_reauth', 'This OAuth 1.0a connection holds no oauth_token and oauth_token_secret: the user must connect again.')
    }
    const isForm = (request.headers.get('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded'
    // Form parameters are part of the signature (section 3.4.1.3.1); other bodies are not.
    const formBody = isForm && request.body !== null ? await request.clone().text() : null
    const authorization = await oauth1Authorization({ method: request.method, url: request.url, formBody }, clientKeys(await config, token, tokenSecret))
    const headers = new Headers(request.headers)
    headers.set('Authorization', authorization)
    return new Request(request, { headers })
  }
}
