/**
 * Zoom (General app, user-managed OAuth), as documented:
 * - authorize https://zoom.us/oauth/authorize; PKCE accepted with S256
 *   (https://developers.zoom.us/docs/integrations/PKCE/);
 * - token https://zoom.us/oauth/token with `Authorization: Basic base64(client_id:client_secret)`
 *   for the code exchange and the refresh; the answer is `{access_token, token_type: "bearer",
 *   refresh_token, expires_in: 3599, scope, api_url}` (lower-case "bearer"); each refresh returns
 *   a new refresh token and the old one stops working
 *   (https://developers.zoom.us/docs/integrations/oauth/); token errors are
 *   `{reason, error}` (https://developers.zoom.us/docs/integrations/oauth-error-messages/);
 * - API https://api.zoom.us/v2 with `Authorization: Bearer`; GET /v2/users/me
 *   (https://developers.zoom.us/docs/api/users/); a bad token is 401
 *   `{code: 124, message: "Invalid access token."}`.
 */
import { json } from './emulator.ts'
import type { ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken } from './oauth2-provider.ts'

/** The Zoom app the compat project registers. */
export const ZOOM_CLIENT = { id: 'Kq8xR2pZTsyB3aF9cLmN0w', secret: 'p4V9sLw2Qe7Xr1Tn6Ym3Zc8Hb5Jd0Kf2' } as const

/** The user every authorization is made by, as GET /users/me shows them. */
export const ZOOM_USER = { id: 'KDcuGIm1QgePTO8WbOqwIQ', first_name: 'Jill', last_name: 'Chill', email: 'jchill@example.com', account_id: 'q6gBJVO5TzexKYTb_I2rpg' } as const

/** Zoom's access tokens last an hour, and its token responses say 3599 seconds. */
export const ZOOM_EXPIRES_IN = 3599

/** A fresh Zoom emulator. */
export function zoom(): ProviderEmulator {
  return oauth2Provider({
    key: 'zoom',
    hosts: ['zoom.us', 'api.zoom.us'],
    client: ZOOM_CLIENT,
    // No `scopes` binding: the connector's parametersSchema default applies.
    authorizeUrl: 'https://zoom.us/oauth/authorize',
    tokenUrl: 'https://zoom.us/oauth/token',
    clientAuthentication: 'client_secret_basic',
    accessTokenLifetime: ZOOM_EXPIRES_IN,
    refreshTokens: 'rotating',
    newAccessToken: () => `eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIiwidiI6IjIuMCJ9.${randomToken(96)}.${randomToken(64)}`,
    newRefreshToken: () => `eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIiwidiI6IjIuMCJ9.${randomToken(96)}.${randomToken(64)}`,
    tokenResponse: ({ grant, accessToken, refreshToken, expiresIn }) => ({
      access_token: accessToken,
      token_type: 'bearer',
      refresh_token: refreshToken,
      expires_in: expiresIn,
      scope: grant.scope,
      api_url: 'https://api.zoom.us',
    }),
    tokenError: (error) => json(error.status, { reason: error.error === 'invalid_grant' ? 'Invalid Token!' : error.description, error: error.error }),
    accessTokenOf: bearerToken,
    rejectToken: (reason) => json(401, { code: 124, message: reason === 'expired' ? 'Access token is expired.' : 'Invalid access token.' }),
    api: [
      {
        method: 'GET',
        url: 'https://api.zoom.us/v2/users/me',
        handle: () =>
          json(200, { ...ZOOM_USER, display_name: 'Jill Chill', type: 1, role_name: 'Owner', pmi: 3542471135, timezone: 'Asia/Shanghai', verified: 1, dept: '', status: 'active' }),
      },
      {
        method: 'GET',
        url: 'https://api.zoom.us/v2/users/me/meetings',
        handle: () =>
          json(200, {
            page_size: 30,
            total_records: 1,
            next_page_token: '',
            meetings: [{ uuid: 'aDYlohsHRtCd4ii1uC2+hA==', id: 85746065432, host_id: ZOOM_USER.id, topic: 'Weekly sync', type: 8 }],
          }),
      },
    ],
  })
}
