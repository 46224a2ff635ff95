/**
 * HubSpot (OAuth v1 token endpoints), as documented at
 * https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/guide:
 * - authorize https://app.hubspot.com/oauth/authorize with space-separated scopes;
 * - token https://api.hubapi.com/oauth/v1/token, a form with client_id and client_secret in the
 *   body; answers `{token_type: "bearer", refresh_token, access_token, expires_in: 1800}`:
 *   access tokens are short-lived (30 minutes); a refresh answers the same refresh token;
 * - GET https://api.hubapi.com/oauth/v1/access-tokens/{token} describes a token (the token is
 *   the path, no Authorization header); other APIs take `Authorization: Bearer`, e.g.
 *   https://api.hubapi.com/account-info/v3/details;
 * - a bad token is 401 `{status: "error", message, category: "EXPIRED_AUTHENTICATION" |
 *   "INVALID_AUTHENTICATION"}`.
 */
import { json, type ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken } from './oauth2-provider.ts'

/** The app the compat project registers in the developer account (the client id is a UUID). */
export const HUBSPOT_CLIENT = { id: '5a1c3c1e-6b8f-4d2a-9f0e-2c7b1d4e8a90', secret: '8f2d6c4b-hubspot-compat-secret' } as const

/** The HubSpot account (portal) every grant is installed in. */
export const HUBSPOT_PORTAL_ID = 62515

/** HubSpot's access token lifetime in seconds: 30 minutes. */
export const HUBSPOT_TOKEN_LIFETIME = 1800

/** A fresh HubSpot emulator. */
export function hubspot(): ProviderEmulator {
  return oauth2Provider({
    key: 'hubspot',
    hosts: ['app.hubspot.com', 'api.hubapi.com'],
    client: HUBSPOT_CLIENT,
    authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
    tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
    clientAuthentication: 'client_secret_post',
    accessTokenLifetime: HUBSPOT_TOKEN_LIFETIME,
    refreshTokens: 'reusable',
    newAccessToken: () => `CKDZpunPLhICAQEYs-gDIIGOBii1hQIyGQAf3xBKE${randomToken(40)}`,
    newRefreshToken: () => crypto.randomUUID(),
    tokenResponse: ({ accessToken, refreshToken, expiresIn }) => ({ token_type: 'bearer', refresh_token: refreshToken, access_token: accessToken, expires_in: expiresIn }),
    accessTokenOf: bearerToken,
    rejectToken: (reason) =>
      json(401, {
        status: 'error',
        message: reason === 'expired' ? 'The OAuth token used to make this call expired.' : 'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
        correlationId: crypto.randomUUID(),
        category: reason === 'expired' ? 'EXPIRED_AUTHENTICATION' : 'INVALID_AUTHENTICATION',
      }),
    api: [
      {
        method: 'GET',
        url: 'https://api.hubapi.com/oauth/v1/access-tokens/{token}',
        tokenFrom: (_request, params) => params['token'] ?? null,
        handle: ({ grant, accessToken }) =>
          json(200, {
            token: accessToken,
            user: 'owner@example.com',
            hub_domain: 'compat.hubspot.com',
            scopes: grant.scope.split(' '),
            hub_id: HUBSPOT_PORTAL_ID,
            app_id: 456,
            expires_in: HUBSPOT_TOKEN_LIFETIME,
            user_id: 123,
            token_type: 'access',
          }),
      },
      {
        method: 'GET',
        url: 'https://api.hubapi.com/account-info/v3/details',
        handle: () =>
          json(200, {
            portalId: HUBSPOT_PORTAL_ID,
            accountType: 'STANDARD',
            timeZone: 'US/Eastern',
            companyCurrency: 'USD',
            additionalCurrencies: [],
            utcOffset: '-05:00',
            utcOffsetMilliseconds: -18000000,
            uiDomain: 'app.hubspot.com',
            dataHostingLocation: 'na1',
          }),
      },
      {
        method: 'GET',
        url: 'https://api.hubapi.com/crm/v3/objects/contacts',
        handle: () => json(200, { results: [{ id: '512', properties: { email: 'bh@hubspot.com', firstname: 'Brian', lastname: 'Halligan' } }] }),
      },
    ],
  })
}
