/**
 * LinkedIn (3-legged OAuth with "Sign In with LinkedIn using OpenID Connect"), as documented:
 * - authorize https://www.linkedin.com/oauth/v2/authorization with space-delimited `scope`
 *   (openid profile email) (https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow,
 *   https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2);
 * - token https://www.linkedin.com/oauth/v2/accessToken with client_id and client_secret as form
 *   parameters; the authorization code flow's sample answer has no `token_type`:
 *   `{access_token, expires_in: 5184000, scope}` (60 days), `scope` comma-separated, plus
 *   `id_token` with openid;
 * - programmatic refresh tokens only for approved Marketing Developer Platform partners: then
 *   `refresh_token` and `refresh_token_expires_in` (365 days, not extended by a refresh; the
 *   refresh token stays the same) (https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens).
 *   A test marks a grant as a partner app's (control `partner`, body `{grant}`) between the
 *   approval and the code exchange; other grants never see a refresh token;
 * - API https://api.linkedin.com/v2 with `Authorization: Bearer`; GET /v2/userinfo answers the
 *   OpenID Connect claims; a bad token is 401 `{serviceErrorCode: 65600, code: "INVALID_ACCESS_TOKEN"}`.
 */
import { json } from './emulator.ts'
import type { ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken, requireGrant } from './oauth2-provider.ts'

/** The LinkedIn app the compat project registers. */
export const LINKEDIN_CLIENT = { id: '86wq3vbf1ok4yb', secret: 'WPL_AP1.Zm9vYmFyYmF6cXV4.bHRnMw==' } as const

/** The member every authorization is made by, as userinfo shows them. */
export const LINKEDIN_MEMBER = { sub: '782bbtaQ', name: 'John Doe', given_name: 'John', family_name: 'Doe', email: 'doe@email.com' } as const

/** Access tokens last 60 days; partners' refresh tokens 365 days from the first authorization. */
export const LINKEDIN_ACCESS_TOKEN_LIFETIME = 60 * 24 * 3600
const REFRESH_TOKEN_LIFETIME = 365 * 24 * 3600

/** A fresh LinkedIn emulator. */
export function linkedin(): ProviderEmulator {
  return oauth2Provider({
    key: 'linkedin',
    hosts: ['www.linkedin.com', 'api.linkedin.com'],
    client: LINKEDIN_CLIENT,
    authorizeUrl: 'https://www.linkedin.com/oauth/v2/authorization',
    tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
    clientAuthentication: 'client_secret_post',
    accessTokenLifetime: LINKEDIN_ACCESS_TOKEN_LIFETIME,
    // Issued for every grant, shown only to partner grants (`tokenResponse`).
    refreshTokens: 'reusable',
    checkAuthorize: (query) => ((query.get('scope') ?? '').includes(',') ? 'scope must be space-delimited' : null),
    onGrant: (grant) => {
      grant.data['partner'] = false
      grant.data['authorizedAt'] = Date.now()
    },
    newAccessToken: () => `AQV${randomToken(60)}`,
    newRefreshToken: () => `AQX${randomToken(60)}`,
    tokenResponse: ({ grant, grantType, accessToken, refreshToken, expiresIn }) => {
      const scopes = grant.scope.split(' ')
      const partner = grant.data['partner'] === true && refreshToken !== null
      const refreshLeft = REFRESH_TOKEN_LIFETIME - Math.floor((Date.now() - Number(grant.data['authorizedAt'])) / 1000)
      return {
        access_token: accessToken,
        expires_in: expiresIn,
        ...(partner ? { refresh_token: refreshToken, refresh_token_expires_in: refreshLeft } : {}),
        scope: [...scopes].sort().join(','),
        // An opaque stand-in for LinkedIn's signed id_token: the connector declares no issuer.
        ...(grantType === 'authorization_code' && scopes.includes('openid') ? { id_token: `eyJ${randomToken(24)}.eyJ${randomToken(48)}.${randomToken(64)}` } : {}),
      }
    },
    accessTokenOf: bearerToken,
    rejectToken: () => json(401, { status: 401, serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN', message: 'Invalid access token' }),
    api: [
      {
        method: 'GET',
        url: 'https://api.linkedin.com/v2/userinfo',
        handle: () =>
          json(200, { ...LINKEDIN_MEMBER, picture: 'https://media.licdn.com/dms/image/C4D03AQ/profile.jpg', locale: { country: 'US', language: 'en' }, email_verified: true }),
      },
    ],
    control: {
      partner: (input, state) => {
        requireGrant(state, input).data['partner'] = true
        return { ok: true }
      },
    },
  })
}
