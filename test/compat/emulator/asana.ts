/**
 * Asana (OAuth app, authorization code grant), as documented in https://developers.asana.com/docs/oauth:
 * - authorize https://app.asana.com/-/oauth_authorize; PKCE with code_challenge_method=S256;
 * - token https://app.asana.com/-/oauth_token with client_id and client_secret as form
 *   parameters; the code exchange answers `{access_token, expires_in: 3600, token_type:
 *   "bearer", data: {id, gid, name, email}, refresh_token}`; `refresh_token` comes only "if
 *   exchanging a code": a refresh answers a new access token and the refresh token stays valid;
 * - API https://app.asana.com/api/1.0 with `Authorization: Bearer`; GET /users/me answers
 *   `{data: {gid, resource_type: "user", ...}}` (https://developers.asana.com/reference/getuser);
 *   a bad token is 401 `{errors: [{message: "Not Authorized"}]}`.
 */
import { json } from './emulator.ts'
import type { ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken } from './oauth2-provider.ts'

/** The Asana app the compat project registers (Asana client ids are numeric). */
export const ASANA_CLIENT = { id: '1204567890123456', secret: '8f3b2c1d0e9a7f6b5c4d3e2f1a0b9c8d' } as const

/** The user every authorization is made by. */
export const ASANA_USER = { id: 4673218951, gid: '4673218951', name: 'Greg Sanchez', email: 'gsanchez@example.com' } as const

/** Access tokens last an hour. */
export const ASANA_EXPIRES_IN = 3600

/** A fresh Asana emulator. */
export function asana(): ProviderEmulator {
  return oauth2Provider({
    key: 'asana',
    hosts: ['app.asana.com'],
    client: ASANA_CLIENT,
    // No `scopes` binding: an app registered with full permissions gets Asana's default scope.
    authorizeUrl: 'https://app.asana.com/-/oauth_authorize',
    tokenUrl: 'https://app.asana.com/-/oauth_token',
    clientAuthentication: 'client_secret_post',
    accessTokenLifetime: ASANA_EXPIRES_IN,
    refreshTokens: 'reusable',
    newAccessToken: () => `2/${ASANA_USER.gid}/${randomToken(32)}`,
    newRefreshToken: () => `2/${ASANA_USER.gid}/${randomToken(32)}`,
    tokenResponse: ({ grantType, accessToken, refreshToken, expiresIn }) => ({
      access_token: accessToken,
      expires_in: expiresIn,
      token_type: 'bearer',
      data: ASANA_USER,
      ...(grantType === 'authorization_code' ? { refresh_token: refreshToken } : {}),
    }),
    accessTokenOf: bearerToken,
    rejectToken: () =>
      json(401, {
        errors: [
          { message: 'Not Authorized', help: 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors' },
        ],
      }),
    api: [
      {
        method: 'GET',
        url: 'https://app.asana.com/api/1.0/users/me',
        handle: () =>
          json(200, {
            data: {
              gid: ASANA_USER.gid,
              resource_type: 'user',
              name: ASANA_USER.name,
              email: ASANA_USER.email,
              photo: null,
              workspaces: [{ gid: '12345', resource_type: 'workspace', name: 'My Company Workspace' }],
            },
          }),
      },
      {
        method: 'GET',
        url: 'https://app.asana.com/api/1.0/workspaces',
        handle: () => json(200, { data: [{ gid: '12345', resource_type: 'workspace', name: 'My Company Workspace' }], next_page: null }),
      },
    ],
  })
}
