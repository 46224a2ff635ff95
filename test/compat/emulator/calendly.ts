/**
 * Calendly (OAuth app of kind "Web"), as documented:
 * - authorize https://auth.calendly.com/oauth/authorize; PKCE (S256) accepted, with
 *   `code_verifier` at the token endpoint
 *   (https://developer.calendly.com/docs/authentication/how-to-access-calendly-data-on-behalf-of-authenticated-users);
 * - token https://auth.calendly.com/oauth/token: "Web clients: pass client_id and client_secret
 *   via Basic HTTP Authorization header"; the answer is `{token_type: "Bearer", access_token,
 *   refresh_token, scope, created_at (epoch seconds), expires_in: 7200, owner, organization}`;
 *   "Refresh Tokens don't expire until they are used": each refresh returns a new one
 *   (https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-refresh-token);
 * - API https://api.calendly.com with `Authorization: Bearer`; GET /users/me answers
 *   `{resource: {uri, ...}}` (https://developer.calendly.com/api-docs/calendly-api/users/get-current-user);
 *   a bad token is 401 `{title: "Unauthenticated", message}`.
 */
import { json } from './emulator.ts'
import type { ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken } from './oauth2-provider.ts'

/** The Calendly app the compat project registers. */
export const CALENDLY_CLIENT = { id: 'zJ9QxP3vK7bL2mN8cR5tW1yH6fD4gS0aUeIo-TkBn', secret: 'cS3kR8vQ1xZ7nB4mW9tY2pL6hF0dJ5gA-Ue_Io3Kb7Nc' } as const

/** The user and organization every authorization is made in (Calendly names them by URI). */
export const CALENDLY_OWNER = 'https://api.calendly.com/users/EBHAAFHDCAEQTSEZ'
export const CALENDLY_ORGANIZATION = 'https://api.calendly.com/organizations/EBHAAFHDCAEQTSEZ'

/** Access tokens last 2 hours. */
export const CALENDLY_EXPIRES_IN = 7200

/** A fresh Calendly emulator. */
export function calendly(): ProviderEmulator {
  return oauth2Provider({
    key: 'calendly',
    hosts: ['auth.calendly.com', 'api.calendly.com'],
    client: CALENDLY_CLIENT,
    // No `scopes` binding: the connector's parametersSchema default applies.
    authorizeUrl: 'https://auth.calendly.com/oauth/authorize',
    tokenUrl: 'https://auth.calendly.com/oauth/token',
    clientAuthentication: 'client_secret_basic',
    accessTokenLifetime: CALENDLY_EXPIRES_IN,
    refreshTokens: 'rotating',
    newAccessToken: () =>
      `eyJraWQiOiIxY2UxZTEzNjE3ZGNmNzY2YjNjZWJjY2Y4ZGM1YmFmYThhNjVlNjg0MDIzZjdjMzJiZTgzNDliMjM4MDEzNWI0IiwidHlwIjoiUEFUIiwiYWxnIjoiRVMyNTYifQ.${randomToken(96)}.${randomToken(48)}`,
    newRefreshToken: () => randomToken(32),
    tokenResponse: ({ grant, accessToken, refreshToken, expiresIn }) => ({
      token_type: 'Bearer',
      access_token: accessToken,
      refresh_token: refreshToken,
      scope: grant.scope,
      created_at: Math.floor(Date.now() / 1000),
      expires_in: expiresIn,
      owner: CALENDLY_OWNER,
      organization: CALENDLY_ORGANIZATION,
    }),
    accessTokenOf: bearerToken,
    rejectToken: (reason) => json(401, { title: 'Unauthenticated', message: reason === 'expired' ? 'The access token expired' : 'The access token is invalid' }),
    api: [
      {
        method: 'GET',
        url: 'https://api.calendly.com/users/me',
        handle: () =>
          json(200, {
            resource: {
              uri: CALENDLY_OWNER,
              name: 'John Doe',
              slug: 'acmesales',
              email: 'test@example.com',
              scheduling_url: 'https://calendly.com/acmesales',
              timezone: 'America/New_York',
              created_at: '2019-01-02T03:04:05.678123Z',
              updated_at: '2019-08-07T06:05:04.321123Z',
              current_organization: CALENDLY_ORGANIZATION,
              resource_type: 'User',
              locale: 'en',
            },
          }),
      },
      {
        method: 'GET',
        url: 'https://api.calendly.com/event_types',
        handle: ({ request }) =>
          request.url.searchParams.get('user') !== CALENDLY_OWNER && request.url.searchParams.get('organization') !== CALENDLY_ORGANIZATION
            ? json(400, {
                title: 'Invalid Argument',
                message: 'The supplied parameters are invalid.',
                details: [{ parameter: 'user', message: 'user or organization is required' }],
              })
            : json(200, {
                collection: [
                  {
                    uri: 'https://api.calendly.com/event_types/AAAAAAAAAAAAAAAA',
                    name: '15 Minute Meeting',
                    active: true,
                    slug: 'acmesales',
                    duration: 15,
                    profile: { type: 'User', name: 'John Doe', owner: CALENDLY_OWNER },
                  },
                ],
                pagination: { count: 1, next_page: null, previous_page: null, next_page_token: null, previous_page_token: null },
              }),
      },
    ],
  })
}
