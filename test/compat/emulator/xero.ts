/**
 * Xero (OAuth 2.0 standard authorization code flow), as documented at
 * https://developer.xero.com/documentation/guides/oauth2/auth-flow:
 * - authorize https://login.xero.com/identity/connect/authorize, space-separated scopes
 *   (`offline_access` for a refresh token);
 * - token https://identity.xero.com/connect/token with `Authorization: Basic
 *   base64(client_id:client_secret)`; answers `{id_token, access_token, expires_in: 1800,
 *   token_type: "Bearer", refresh_token, scope}`; refresh tokens rotate;
 * - https://api.xero.com/connections lists the tenants (organisations) the token may reach;
 *   every API call names one in the `xero-tenant-id` header, or is refused 403
 *   (https://developer.xero.com/documentation/guides/oauth2/tenants);
 * - a bad token is 401 `{Title: "Unauthorized", Status: 401, Detail: "AuthenticationUnsuccessful"}`.
 */
import { json, type EmulatedRequest, type ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken, type Grant } from './oauth2-provider.ts'

/** The app the compat project registers at developer.xero.com. */
export const XERO_CLIENT = { id: '91E5715B1199038080D6D0296EBC1648', secret: 'xero-compat-secret-CjA8bFqA7' } as const

/** A fresh Xero emulator; each grant connects one organisation (tenant). */
export function xero(): ProviderEmulator {
  return oauth2Provider({
    key: 'xero',
    hosts: ['login.xero.com', 'identity.xero.com', 'api.xero.com'],
    client: XERO_CLIENT,
    authorizeUrl: 'https://login.xero.com/identity/connect/authorize',
    tokenUrl: 'https://identity.xero.com/connect/token',
    clientAuthentication: 'client_secret_basic',
    accessTokenLifetime: 1800,
    refreshTokens: 'rotating',
    onGrant: (grant) => {
      grant.data['tenantId'] = crypto.randomUUID()
    },
    newAccessToken: () => `eyJhbGciOiJSUzI1NiIsImtpZCI6IjFDQUY4RTY2NzcyRDZEQzAyOEQ2NzI2RkQwMjYxNTgxNTcwRUZDMTkifQ.${randomToken(48)}.${randomToken(32)}`,
    tokenResponse: ({ grant, accessToken, refreshToken, expiresIn }) => ({
      ...(grant.scope.split(' ').includes('openid') && { id_token: `eyJhbGciOiJSUzI1NiJ9.${randomToken(32)}.${randomToken(32)}` }),
      access_token: accessToken,
      expires_in: expiresIn,
      token_type: 'Bearer',
      ...(grant.scope.split(' ').includes('offline_access') && { refresh_token: refreshToken }),
      scope: grant.scope,
    }),
    accessTokenOf: bearerToken,
    rejectToken: () =>
      json(
        401,
        { Type: null, Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful', Instance: crypto.randomUUID() },
        { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      ),
    api: [
      {
        method: 'GET',
        url: 'https://api.xero.com/connections',
        handle: ({ grant }) =>
          json(200, [
            {
              id: crypto.randomUUID(),
              authEventId: crypto.randomUUID(),
              tenantId: grant.data['tenantId'],
              tenantType: 'ORGANISATION',
              tenantName: 'Demo Company (UK)',
              createdDateUtc: '2026-11-30T10:00:00.0000000',
              updatedDateUtc: '2026-11-30T10:00:00.0000000',
            },
          ]),
      },
      {
        method: 'GET',
        url: 'https://api.xero.com/api.xro/2.0/Organisation',
        handle: ({ grant, request }) =>
          tenantProblem(grant, request) ??
          json(200, {
            Id: crypto.randomUUID(),
            Status: 'OK',
            ProviderName: 'Latchkey compat',
            Organisations: [{ OrganisationID: grant.data['tenantId'], Name: 'Demo Company (UK)', BaseCurrency: 'GBP', CountryCode: 'GB' }],
          }),
      },
      {
        method: 'GET',
        url: 'https://api.xero.com/api.xro/2.0/Invoices',
        handle: ({ grant, request }) =>
          tenantProblem(grant, request) ??
          json(200, { Id: crypto.randomUUID(), Status: 'OK', Invoices: [{ InvoiceID: crypto.randomUUID(), InvoiceNumber: 'INV-0001', Total: 100 }] }),
      },
    ],
  })
}

/** Xero refuses a call without the `xero-tenant-id` of an organisation the token was granted. */
function tenantProblem(grant: Grant, request: EmulatedRequest): Response | null {
  if (request.headers.get('xero-tenant-id') === grant.data['tenantId']) return null
  return json(403, { Type: null, Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful', Instance: crypto.randomUUID() })
}
