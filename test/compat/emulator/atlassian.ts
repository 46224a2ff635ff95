/**
 * Atlassian Cloud (OAuth 2.0 3LO), as documented at
 * https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/:
 * - authorize https://auth.atlassian.com/authorize with `audience=api.atlassian.com` (required)
 *   and `prompt=consent`; a refresh token only with the `offline_access` scope;
 * - token https://auth.atlassian.com/oauth/token, client_id and client_secret in the body
 *   (the docs send JSON; form bodies are accepted too); rotating refresh tokens;
 * - https://api.atlassian.com/oauth/token/accessible-resources lists the sites (cloud ids)
 *   the token may reach; the APIs live under https://api.atlassian.com/ex/jira/{cloudId};
 * - a bad token is 401 `{code: 401, message: "Unauthorized"}`.
 */
import { json, type ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken } from './oauth2-provider.ts'

/** The OAuth 2.0 integration the compat project registers in the developer console. */
export const ATLASSIAN_CLIENT = { id: 'Zq1qHcVgNvRRVDTqfXsHQ4nDi0wD6KJc', secret: 'ATOA-atlassian-compat-secret' } as const

/** The Jira user every grant belongs to. */
export const ATLASSIAN_ACCOUNT = { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Mia Krystof' } as const

/** A fresh Atlassian emulator; each grant gets its own site (cloud id). */
export function atlassian(): ProviderEmulator {
  return oauth2Provider({
    key: 'atlassian',
    hosts: ['auth.atlassian.com', 'api.atlassian.com'],
    client: ATLASSIAN_CLIENT,
    authorizeUrl: 'https://auth.atlassian.com/authorize',
    tokenUrl: 'https://auth.atlassian.com/oauth/token',
    clientAuthentication: 'client_secret_post',
    acceptsJsonTokenRequest: true,
    accessTokenLifetime: 3600,
    refreshTokens: 'rotating',
    checkAuthorize: (query) => (query.get('audience') !== 'api.atlassian.com' ? 'audience must be api.atlassian.com' : null),
    onGrant: (grant) => {
      grant.data['cloudId'] = crypto.randomUUID()
      grant.data['site'] = `https://site-${randomToken(4)
        .toLowerCase()
        .replace(/[^a-z0-9]/g, 'x')}.atlassian.net`
    },
    newAccessToken: () => `eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20.${randomToken(32)}.${randomToken(16)}`,
    tokenResponse: ({ grant, accessToken, refreshToken, expiresIn }) => ({
      access_token: accessToken,
      expires_in: expiresIn,
      token_type: 'Bearer',
      ...(grant.scope.split(' ').includes('offline_access') && { refresh_token: refreshToken }),
      scope: grant.scope,
    }),
    accessTokenOf: bearerToken,
    rejectToken: () => json(401, { code: 401, message: 'Unauthorized' }),
    api: [
      {
        method: 'GET',
        url: 'https://api.atlassian.com/oauth/token/accessible-resources',
        handle: ({ grant }) =>
          json(200, [
            {
              id: grant.data['cloudId'],
              url: grant.data['site'],
              name: 'Compat Site',
              scopes: grant.scope.split(' ').filter((scope) => scope !== 'offline_access'),
              avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png',
            },
          ]),
      },
      {
        method: 'GET',
        url: 'https://api.atlassian.com/ex/jira/{cloudId}/rest/api/3/myself',
        handle: ({ grant, params }) =>
          params['cloudId'] === grant.data['cloudId'] ? json(200, { ...ATLASSIAN_ACCOUNT, accountType: 'atlassian', active: true, timeZone: 'Europe/Berlin' }) : siteNotFound(),
      },
      {
        method: 'GET',
        url: 'https://api.atlassian.com/ex/jira/{cloudId}/rest/api/3/project/search',
        handle: ({ grant, params }) =>
          params['cloudId'] === grant.data['cloudId']
            ? json(200, { startAt: 0, maxResults: 50, total: 1, isLast: true, values: [{ id: '10000', key: 'COMPAT', name: 'Compat' }] })
            : siteNotFound(),
      },
    ],
  })
}

/** A cloud id the token was not granted for. */
function siteNotFound(): Response {
  return json(404, { errorMessages: ['Site not found or not accessible with this token.'] })
}
