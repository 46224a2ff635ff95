/**
 * Pipedrive, both ways to connect:
 * - API token (https://pipedrive.readme.io/docs/how-to-find-the-api-token): a user's personal
 *   token (40 hex digits) as the `api_token` query parameter on https://api.pipedrive.com/v1;
 *   a missing or wrong one is 401 `{success: false, error: "unauthorized access"}`;
 * - OAuth 2.0 (https://pipedrive.readme.io/docs/marketplace-oauth-authorization): authorize at
 *   https://oauth.pipedrive.com/oauth/authorize (scopes are set on the app, none in the
 *   request), token at https://oauth.pipedrive.com/oauth/token with HTTP Basic client
 *   authentication; every token response (code and refresh) carries `api_domain`, the
 *   company's own host, where OAuth API requests go (`<api_domain>/api/v1/...`); access tokens
 *   live an hour; the refresh token is reusable;
 * - GET /users/me answers `{success: true, data: {id, name, email, company_domain, ...}}`
 *   (https://developers.pipedrive.com/docs/api/v1/Users#getCurrentUser).
 *
 * Control actions: those of `oauth2Provider` for OAuth grants; `account` opens an API-token
 * user (its `grant` is the user id); `log` with `{grant}` covers both.
 */
import { connectorParameterVariable } from '../../../src/registry/connector-parameters.ts'
import { json, type EmulatedRequest, type ProviderEmulator } from './emulator.ts'
import { credentialProvider, HEX, randomOf, type CredentialAccount } from './credential-provider.ts'
import { bearerToken, oauth2Provider } from './oauth2-provider.ts'

/** The Pipedrive app the compat project registered in the Developer Hub. */
export const PIPEDRIVE_CLIENT = { id: 'b4d083d9216986345b32', secret: 'pipedrive-compat-client-secret-0b1c' } as const

/** An API-token user the emulator opened (control action `account`). */
export interface PipedriveTokenUser {
  grant: string
  credentials: { apiToken: string }
  data: { userId: number; companyDomain: string }
}

const API_TOKEN_HOST = 'api.pipedrive.com'

/** A fresh Pipedrive emulator. */
export function pipedrive(): ProviderEmulator {
  const oauth = oauth2Provider({
    key: 'pipedrive',
    hosts: ['*.pipedrive.com'],
    client: PIPEDRIVE_CLIENT,
    authorizeUrl: 'https://oauth.pipedrive.com/oauth/authorize',
    tokenUrl: 'https://oauth.pipedrive.com/oauth/token',
    clientAuthentication: 'client_secret_basic',
    accessTokenLifetime: 3599,
    refreshTokens: 'reusable',
    onGrant: (grant) => {
      grant.data['userId'] = 1_000_000 + Math.floor(Math.random() * 1_000_000)
      grant.data['companyDomain'] = `compat-${randomOf(HEX, 6)}`
    },
    tokenResponse: ({ grant, accessToken, refreshToken, expiresIn }) => ({
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: expiresIn,
      refresh_token: refreshToken,
      scope: 'base,deals:read,users:read',
      api_domain: `https://${String(grant.data['companyDomain'])}.pipedrive.com`,
    }),
    accessTokenOf: bearerToken,
    rejectToken: () => unauthorized(),
    api: [
      {
        method: 'GET',
        url: 'https://{company}.pipedrive.com/api/v1/users/me',
        handle: ({ grant, params }) => (params['company'] === grant.data['companyDomain'] ? me(grant.data['userId'], String(grant.data['companyDomain'])) : companyNotFound()),
      },
      {
        method: 'GET',
        url: 'https://{company}.pipedrive.com/api/v1/deals',
        handle: ({ grant, params }) => (params['company'] === grant.data['companyDomain'] ? deals() : companyNotFound()),
      },
    ],
  })

  const apiToken = credentialProvider({
    key: 'pipedrive',
    hosts: [API_TOKEN_HOST],
    newAccount: () => {
      const userId = 2_000_000 + Math.floor(Math.random() * 1_000_000)
      return { id: `user-${userId}`, credentials: { apiToken: randomOf(HEX, 40) }, data: { userId, companyDomain: `compat-${randomOf(HEX, 6)}` } }
    },
    authenticate: (request: EmulatedRequest, accounts: readonly CredentialAccount[]) => {
      const token = request.url.searchParams.get('api_token')
      const account = accounts.find((candidate) => candidate.credentials['apiToken'] === token) ?? null
      return { account, valid: account !== null }
    },
    reject: () => unauthorized(),
    api: [
      { method: 'GET', url: `https://${API_TOKEN_HOST}/v1/users/me`, handle: ({ account }) => me(account.data['userId'], String(account.data['companyDomain'])) },
      { method: 'GET', url: `https://${API_TOKEN_HOST}/v1/deals`, handle: () => deals() },
    ],
  })

  return {
    key: 'pipedrive',
    hosts: oauth.hosts,
    // Only the OAuth option has deployment parameters.
    bindings: {
      [connectorParameterVariable('pipedrive', 'clientId')]: PIPEDRIVE_CLIENT.id,
      [connectorParameterVariable('pipedrive', 'clientSecret')]: PIPEDRIVE_CLIENT.secret,
    },
    handle: (request) => (request.url.hostname === API_TOKEN_HOST ? apiToken.handle(request) : oauth.handle(request)),
    async control(action, input) {
      if (action === 'account' || action === 'revoke-token') return apiToken.control(action === 'account' ? 'account' : 'revoke', input)
      if (action === 'log') {
        const [byToken, byOAuth] = (await Promise.all([apiToken.control('log', input), oauth.control('log', input)])) as { at: number }[][]
        return [...(byToken ?? []), ...(byOAuth ?? [])].sort((a, b) => a.at - b.at)
      }
      return oauth.control(action, input)
    },
  }
}

function me(userId: unknown, companyDomain: string): Response {
  return json(200, {
    success: true,
    data: { id: userId, name: 'Kai Compat', email: 'kai@compat.example', company_id: 7_654_321, company_domain: companyDomain, locale: 'en_US', is_admin: 1 },
  })
}

function deals(): Response {
  return json(200, {
    success: true,
    data: [{ id: 1, title: 'Compat deal', value: 5000, currency: 'EUR', status: 'open' }],
    additional_data: { pagination: { start: 0, limit: 100, more_items_in_collection: false } },
  })
}

function unauthorized(): Response {
  return json(401, { success: false, error: 'unauthorized access', errorCode: 401, error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.' })
}

function companyNotFound(): Response {
  return json(404, { success: false, error: 'Company not found', errorCode: 404 })
}
