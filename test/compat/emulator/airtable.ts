/**
 * Airtable (OAuth integrations), as documented in https://airtable.com/developers/web/api/oauth-reference:
 * - authorize https://airtable.com/oauth2/v1/authorize: `scope` space-delimited and required
 *   ("You must request at least one scope"), `code_challenge` with method S256 required;
 * - token https://airtable.com/oauth2/v1/token: a client with a secret authenticates with
 *   `Authorization: Basic` (code exchange and refresh alike); the answer is
 *   `{access_token, refresh_token, token_type: "Bearer", scope, expires_in: 3600,
 *   refresh_expires_in}`; each refresh returns a new refresh token and retires the old one;
 * - Web API https://api.airtable.com/v0 with `Authorization: Bearer`; GET /v0/meta/whoami names
 *   the user, with the email only under user.email:read
 *   (https://airtable.com/developers/web/api/get-user-id-scopes); a bad token is 401
 *   `{error: {type: "AUTHENTICATION_REQUIRED"}}`
 *   (https://airtable.com/developers/web/api/errors).
 */
import { json } from './emulator.ts'
import type { ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken } from './oauth2-provider.ts'

/** The Airtable integration the compat project registers (with a client secret). */
export const AIRTABLE_CLIENT = { id: '0f3c9e52-8a71-4d26-b5e4-1c7a9d3b2f60', secret: 'c8f1d0e6b2a94f7c3e5d8b1a6f0c9e2d4b7a3f5c1e8d6b9a2f4c7e0d3b5a8f1c' } as const

/** The user every authorization is made by. */
export const AIRTABLE_USER = { id: 'usrL2PNC5o3H4lBEi', email: 'foo@bar.com' } as const

/** Refresh tokens last 60 days (`refresh_expires_in`, seconds). */
export const AIRTABLE_REFRESH_EXPIRES_IN = 60 * 24 * 3600

/** A fresh Airtable emulator. */
export function airtable(): ProviderEmulator {
  return oauth2Provider({
    key: 'airtable',
    hosts: ['airtable.com', 'api.airtable.com'],
    client: AIRTABLE_CLIENT,
    // No `scopes` binding: the connector's parametersSchema default applies.
    authorizeUrl: 'https://airtable.com/oauth2/v1/authorize',
    tokenUrl: 'https://airtable.com/oauth2/v1/token',
    clientAuthentication: 'client_secret_basic',
    pkce: 'required',
    accessTokenLifetime: 3600,
    refreshTokens: 'rotating',
    checkAuthorize: (query) => ((query.get('scope') ?? '').trim() === '' ? 'at least one scope is required' : null),
    newAccessToken: () => `oaa${randomToken(12)}.v1.${randomToken(32)}`,
    newRefreshToken: () => `oaa${randomToken(12)}.v1.refresh.${randomToken(32)}`,
    tokenResponse: ({ grant, accessToken, refreshToken, expiresIn }) => ({
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      scope: grant.scope,
      expires_in: expiresIn,
      refresh_expires_in: AIRTABLE_REFRESH_EXPIRES_IN,
    }),
    accessTokenOf: bearerToken,
    rejectToken: () => json(401, { error: { type: 'AUTHENTICATION_REQUIRED', message: 'Authentication required' } }),
    api: [
      {
        method: 'GET',
        url: 'https://api.airtable.com/v0/meta/whoami',
        handle: ({ grant }) => {
          const scopes = grant.scope.split(' ')
          return json(200, { id: AIRTABLE_USER.id, scopes, ...(scopes.includes('user.email:read') ? { email: AIRTABLE_USER.email } : {}) })
        },
      },
      {
        method: 'GET',
        url: 'https://api.airtable.com/v0/meta/bases',
        handle: () => json(200, { bases: [{ id: 'appLkNDICXNqxSDhG', name: 'Apartment Hunting', permissionLevel: 'create' }] }),
      },
    ],
  })
}
