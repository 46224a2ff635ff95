/**
 * Box (Custom App, User Authentication OAuth 2.0), as documented:
 * - authorize https://account.box.com/api/oauth2/authorize with response_type, client_id,
 *   redirect_uri, state (https://developer.box.com/reference/get-authorize/); no scope needed;
 * - token https://api.box.com/oauth2/token with client_id and client_secret as form fields;
 *   the answer is `{access_token, expires_in: 3600, restricted_to: [], refresh_token,
 *   token_type: "bearer"}` (https://developer.box.com/reference/post-oauth2-token/);
 * - "A Refresh Token is valid for 60 days and can be used to obtain a new Access Token and
 *   Refresh Token only once" (https://developer.box.com/guides/authentication/tokens/refresh/);
 * - API https://api.box.com/2.0 with `Authorization: Bearer`; GET /users/me
 *   (https://developer.box.com/reference/get-users-me/); a bad token is 401 with an empty body
 *   and `WWW-Authenticate: Bearer realm="Service", error="invalid_token"`.
 */
import { json } from './emulator.ts'
import type { ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken } from './oauth2-provider.ts'

/** The Box app the compat project registers (Box client ids and secrets are 32 characters). */
export const BOX_CLIENT = { id: 'ly1nj6n11vionaie65emwzk575hnnmrk', secret: 'hOzsTeFlT6ko0dme22uGbQal04SBPYc1' } as const

/** The user every authorization is made by. */
export const BOX_USER = { type: 'user', id: '11446498', name: 'Aaron Levie', login: 'ceo@example.com' } as const

/** A fresh Box emulator. */
export function box(): ProviderEmulator {
  return oauth2Provider({
    key: 'box',
    hosts: ['account.box.com', 'api.box.com'],
    client: BOX_CLIENT,
    authorizeUrl: 'https://account.box.com/api/oauth2/authorize',
    tokenUrl: 'https://api.box.com/oauth2/token',
    clientAuthentication: 'client_secret_post',
    accessTokenLifetime: 3600,
    refreshTokens: 'rotating',
    newAccessToken: () => randomToken(24),
    newRefreshToken: () => randomToken(48),
    tokenResponse: ({ accessToken, refreshToken, expiresIn }) => ({
      access_token: accessToken,
      expires_in: expiresIn,
      restricted_to: [],
      refresh_token: refreshToken,
      token_type: 'bearer',
    }),
    accessTokenOf: bearerToken,
    rejectToken: () =>
      new Response(null, {
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."' },
      }),
    api: [
      {
        method: 'GET',
        url: 'https://api.box.com/2.0/users/me',
        handle: () =>
          json(200, {
            ...BOX_USER,
            created_at: '2012-12-12T10:53:43-08:00',
            modified_at: '2012-12-12T10:53:43-08:00',
            language: 'en',
            timezone: 'Africa/Bujumbura',
            space_amount: 11345156112,
            space_used: 1237009912,
            max_upload_size: 2147483648,
            status: 'active',
          }),
      },
      {
        method: 'GET',
        url: 'https://api.box.com/2.0/folders/0',
        handle: () =>
          json(200, {
            type: 'folder',
            id: '0',
            name: 'All Files',
            item_collection: { total_count: 1, entries: [{ type: 'file', id: '12345', name: 'Contract.pdf' }], offset: 0, limit: 100 },
          }),
      },
    ],
  })
}
