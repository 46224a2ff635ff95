/**
 * Dropbox (OAuth 2 with short-lived tokens), as documented in the OAuth guide
 * (https://developers.dropbox.com/oauth-guide) and the HTTP API reference
 * (https://www.dropbox.com/developers/documentation/http/documentation):
 * - authorize https://www.dropbox.com/oauth2/authorize; `token_access_type=offline` asks for a
 *   refresh token (without it: none); PKCE with `code_challenge_method=S256`; space-separated scopes;
 * - token https://api.dropboxapi.com/oauth2/token, client credentials by HTTP Basic or in the
 *   body; answers `{access_token: "sl.…", expires_in: 14400, token_type: "bearer", scope, uid,
 *   account_id, refresh_token}`; a refresh answers `{access_token, token_type, expires_in}`
 *   only: the refresh token stays the same;
 * - RPC endpoints are POSTs on https://api.dropboxapi.com/2/…; one without arguments takes the
 *   JSON body `null` (an empty body with `Content-Type: application/json` is refused 400);
 * - a bad token is 401 `{error_summary: "invalid_access_token/…", error: {".tag": …}}`.
 */
import { json, type EmulatedRequest, type ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken } from './oauth2-provider.ts'

/** The app the compat project registers in the Dropbox App Console (app key and secret). */
export const DROPBOX_CLIENT = { id: 'q8s0dbxcompat7k2', secret: 'dbx-compat-secret-3n5t' } as const

/** The account every grant belongs to. */
export const DROPBOX_ACCOUNT_ID = 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc'

/** A fresh Dropbox emulator. */
export function dropbox(): ProviderEmulator {
  return oauth2Provider({
    key: 'dropbox',
    hosts: ['www.dropbox.com', 'api.dropboxapi.com'],
    client: DROPBOX_CLIENT,
    authorizeUrl: 'https://www.dropbox.com/oauth2/authorize',
    tokenUrl: 'https://api.dropboxapi.com/oauth2/token',
    clientAuthentication: 'basic_or_post',
    accessTokenLifetime: 14_400,
    refreshTokens: 'reusable',
    checkAuthorize: (query) => {
      const type = query.get('token_access_type')
      return type === null || ['offline', 'online', 'legacy'].includes(type) ? null : 'token_access_type must be offline, online or legacy'
    },
    newAccessToken: () => `sl.u.${randomToken(96)}`,
    tokenResponse: ({ grant, grantType, accessToken, refreshToken, expiresIn }) =>
      grantType === 'refresh_token'
        ? { access_token: accessToken, token_type: 'bearer', expires_in: expiresIn }
        : {
            access_token: accessToken,
            expires_in: expiresIn,
            token_type: 'bearer',
            scope: grant.scope,
            uid: '12345',
            account_id: DROPBOX_ACCOUNT_ID,
            ...(grant.authorizeQuery['token_access_type'] === 'offline' && { refresh_token: refreshToken }),
          },
    accessTokenOf: bearerToken,
    rejectToken: (reason) => {
      const tag = reason === 'expired' ? 'expired_access_token' : 'invalid_access_token'
      return json(401, { error_summary: `${tag}/...`, error: { '.tag': tag } })
    },
    api: [
      {
        method: 'POST',
        url: 'https://api.dropboxapi.com/2/users/get_current_account',
        handle: ({ request }) =>
          rpcArgumentProblem(request) ??
          json(200, {
            account_id: DROPBOX_ACCOUNT_ID,
            name: { given_name: 'Franz', surname: 'Ferdinand', familiar_name: 'Franz', display_name: 'Franz Ferdinand (Personal)', abbreviated_name: 'FF' },
            email: 'franz@dropbox.com',
            email_verified: true,
            disabled: false,
            country: 'US',
            locale: 'en',
            account_type: { '.tag': 'basic' },
          }),
      },
      {
        method: 'POST',
        url: 'https://api.dropboxapi.com/2/users/get_space_usage',
        handle: ({ request }) => rpcArgumentProblem(request) ?? json(200, { used: 314159265, allocation: { '.tag': 'individual', allocated: 10737418240 } }),
      },
    ],
  })
}

/** An RPC endpoint without arguments: JSON `null`, or no body and no Content-Type. */
function rpcArgumentProblem(request: EmulatedRequest): Response | null {
  const type = request.headers.get('Content-Type')
  if (type === null && request.body === '') return null
  if (type?.split(';')[0]?.trim() === 'application/json' && request.body.trim() === 'null') return null
  const name = request.url.pathname.slice('/2/'.length)
  return new Response(`Error in call to API function "${name}": request body: could not decode input as JSON`, {
    status: 400,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  })
}
