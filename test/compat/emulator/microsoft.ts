/**
 * Microsoft identity platform (v2.0 endpoints) and Microsoft Graph, as documented:
 * - authorize and token under the tenant: https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize
 *   and /token, `{tenant}` being `common`, `organizations`, `consumers`, a tenant id or domain
 *   (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow);
 * - a confidential client sends client_id and client_secret in the form body (same page);
 * - a refresh token is issued only when the scope includes `offline_access`
 *   (https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc#offline_access), and
 *   each refresh answers a new one (emulated as rotation);
 * - answers `{token_type: "Bearer", scope, expires_in, ext_expires_in, access_token, refresh_token}`;
 * - Graph https://graph.microsoft.com/v1.0/me with a Bearer token; a bad token is 401
 *   `{error: {code: "InvalidAuthenticationToken", message}}` (https://learn.microsoft.com/en-us/graph/errors).
 */
import { json, type ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken } from './oauth2-provider.ts'

/** The app registration the compat project uses (an application (client) id is a GUID). */
export const MICROSOFT_CLIENT = { id: '6731de76-14a6-49ae-97bc-6eba6914391e', secret: 'Wq28Q~microsoft-compat-secret.value' } as const

/** The signed-in user Graph answers with. */
export const MICROSOFT_USER = { id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd', displayName: 'Adele Vance', userPrincipalName: 'AdeleV@contoso.com' } as const

/** A fresh Microsoft emulator. */
export function microsoft(): ProviderEmulator {
  return oauth2Provider({
    key: 'microsoft',
    hosts: ['login.microsoftonline.com', 'graph.microsoft.com'],
    client: MICROSOFT_CLIENT,
    authorizeUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
    tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
    clientAuthentication: 'client_secret_post',
    accessTokenLifetime: 3599,
    refreshTokens: 'rotating',
    newAccessToken: () => `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomToken(32)}.${randomToken(32)}`,
    newRefreshToken: () => `0.AX0A${randomToken(48)}`,
    tokenResponse: ({ grant, accessToken, refreshToken, expiresIn }) => ({
      token_type: 'Bearer',
      scope: grant.scope
        .split(' ')
        .filter((scope) => scope !== 'offline_access')
        .join(' '),
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: accessToken,
      ...(grant.scope.split(' ').includes('offline_access') && { refresh_token: refreshToken }),
    }),
    accessTokenOf: bearerToken,
    rejectToken: (reason) =>
      json(401, {
        error: {
          code: 'InvalidAuthenticationToken',
          message: reason === 'expired' ? 'Lifetime validation failed, the token is expired.' : 'Access token is empty or invalid.',
          innerError: { date: new Date().toISOString(), 'request-id': crypto.randomUUID() },
        },
      }),
    api: [
      {
        method: 'GET',
        url: 'https://graph.microsoft.com/v1.0/me',
        handle: () => json(200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity', ...MICROSOFT_USER, mail: 'AdeleV@contoso.com' }),
      },
      {
        method: 'GET',
        url: 'https://graph.microsoft.com/v1.0/me/drive',
        handle: () => json(200, { id: 'b!drive', driveType: 'business', owner: { user: { id: MICROSOFT_USER.id, displayName: MICROSOFT_USER.displayName } } }),
      },
    ],
  })
}
