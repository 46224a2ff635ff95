/**
 * Pipedrive's connector (connectors/pipedrive/), unchanged, against the Pipedrive emulator: one
 * connector with two ways to connect (`auth.options`), a personal API token in the `api_token`
 * query parameter, or OAuth 2.0 whose API host is the token response's `api_domain`; the
 * connection test is shared. A connection records its option (`authOption`), and its test,
 * refresh and proxy follow that option.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { findConnector } from '../../src/registry/registry.ts'
import { connect, createTypedConnection, expectCompiled, latchkey, latchkeyErrorCode, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import type { CredentialLoggedRequest } from './emulator/credential-provider.ts'
import { PIPEDRIVE_CLIENT, type PipedriveTokenUser } from './emulator/pipedrive.ts'
import { expectAuthorizeUrl, expectClientAuthentication, expectPkceVerifier, REDIRECT_URI, S256_CHALLENGE, STATE } from './expectations.ts'

const pipedrive = new EmulatorControl('pipedrive')

afterEach(expectNoUnexpectedOutbound)

async function tokenUser(): Promise<PipedriveTokenUser> {
  return (await pipedrive.call('account')) as PipedriveTokenUser
}

async function requestsOf(grant: string): Promise<CredentialLoggedRequest[]> {
  return (await pipedrive.log(grant)) as CredentialLoggedRequest[]
}

describe('Pipedrive (options: api-token, oauth)', () => {
  it('is compiled into the registry with both options, each with the shared test', () => {
    expectCompiled('pipedrive')
    const options = findConnector('pipedrive')?.auth.options ?? {}
    expect(Object.keys(options)).toEqual(['api-token', 'oauth'])
    expect(options['api-token']?.type).toBe('client-credentials')
    expect(options['oauth']?.type).toBe('oauth2')
    expect(options['api-token']?.methods.test?.source).toBe('connectors/pipedrive/auth/test.js')
    expect(options['oauth']?.methods.test?.source).toBe('connectors/pipedrive/auth/test.js')
  })

  describe('api-token', () => {
    it('connects with the token in the api_token query parameter of https://api.pipedrive.com/v1/users/me; the connection records its option', async () => {
      const user = await tokenUser()
      const connection = await createTypedConnection('pipedrive', { apiToken: user.credentials.apiToken }, { authOption: 'api-token' })
      expect(connection.summary).toMatchObject({ connectorKey: 'pipedrive', authOption: 'api-token', status: 'connected', testResult: { ok: true } })
      expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({ authOption: 'api-token' })

      const calls = await requestsOf(user.grant)
      expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([`GET https://api.pipedrive.com/v1/users/me?api_token=${user.credentials.apiToken}`])
      expect(calls[0]?.headers['authorization']).toBeUndefined()
      expect(calls[0]?.authenticated).toBe(true)
    })

    it('proxies with the token added to the query, and tests again the same way', async () => {
      const user = await tokenUser()
      const connection = await createTypedConnection('pipedrive', { apiToken: user.credentials.apiToken }, { authOption: 'api-token' })
      const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/deals?limit=1' })
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ success: true, data: [{ title: 'Compat deal' }] })
      expect(await latchkey.testConnection(connection.tenant, connection.connectionId)).toMatchObject({ authOption: 'api-token', status: 'connected', testResult: { ok: true } })

      const calls = await requestsOf(user.grant)
      expect(calls.map((call) => `${call.method} ${call.host}${call.path}`)).toEqual([
        'GET api.pipedrive.com/v1/users/me',
        'GET api.pipedrive.com/v1/deals',
        'GET api.pipedrive.com/v1/users/me',
      ])
      expect(calls[1]?.query).toEqual({ limit: '1', api_token: user.credentials.apiToken })
      expect(calls.every((call) => call.authenticated && call.headers['authorization'] === undefined)).toBe(true)
    })

    it('has nothing to refresh: refresh follows the api-token option (refresh_failed, no token request) and the token keeps working', async () => {
      const user = await tokenUser()
      const connection = await createTypedConnection('pipedrive', { apiToken: user.credentials.apiToken }, { authOption: 'api-token' })
      const tokenRequests = async () => ((await pipedrive.call('log', {})) as CredentialLoggedRequest[]).filter((entry) => entry.endpoint === 'token').length
      const before = await tokenRequests()
      expect(await latchkeyErrorCode(() => latchkey.refresh(connection.tenant, connection.connectionId))).toBe('refresh_failed')
      expect(await tokenRequests()).toBe(before)
      expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({ authOption: 'api-token', status: 'connected', lastRefreshedAt: null })
      expect((await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/users/me' })).status).toBe(200)
    })

    it('S22 refuses a wrong token (Pipedrive answers 401): credentials_rejected, and nothing is stored', async () => {
      const tenant = `tenant-${crypto.randomUUID()}`
      const wrong = 'a'.repeat(40)
      const call = () => latchkey.createConnection({ tenant, connectorKey: 'pipedrive', authOption: 'api-token', connectionInput: { apiToken: wrong } })
      expect(await latchkeyErrorCode(call)).toBe('credentials_rejected')
      expect((await latchkey.listConnections(tenant)).connections).toEqual([])
      const tried = ((await pipedrive.call('log', { grant: null })) as CredentialLoggedRequest[]).filter((entry) => entry.query['api_token'] === wrong)
      expect(tried.map((entry) => `${entry.path} ${entry.authenticated}`)).toEqual(['/v1/users/me false'])
    })

    it('needs the option named: without it, or with an unknown one, auth_option_required; oauth is not typed credentials', async () => {
      const user = await tokenUser()
      const tenant = `tenant-${crypto.randomUUID()}`
      const connectionInput = { apiToken: user.credentials.apiToken }
      expect(await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'pipedrive', connectionInput }))).toBe('auth_option_required')
      expect(await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'pipedrive', authOption: 'api-key', connectionInput }))).toBe('auth_option_required')
      expect(await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'pipedrive', authOption: 'oauth', connectionInput }))).toBe('invalid_request')
      expect((await latchkey.listConnections(tenant)).connections).toEqual([])
      expect(await requestsOf(user.grant)).toEqual([])
    })
  })

  describe('oauth', () => {
    it('sends the user to Pipedrive without scopes (they are set on the app)', async () => {
      const { authorizeUrl } = await startConnect('pipedrive', { authOption: 'oauth' })
      expectAuthorizeUrl(authorizeUrl, 'https://oauth.pipedrive.com/oauth/authorize', {
        response_type: 'code',
        client_id: PIPEDRIVE_CLIENT.id,
        redirect_uri: REDIRECT_URI,
        state: STATE,
        code_challenge: S256_CHALLENGE,
        code_challenge_method: 'S256',
      })
    })

    it('exchanges the code with HTTP Basic client authentication; the connection records the oauth option', async () => {
      const connection = await connect('pipedrive', { authOption: 'oauth' })
      const [exchange, ...others] = await pipedrive.requests(connection.grant, 'token')
      expect(others).toEqual([])
      expect(exchange).toMatchObject({ method: 'POST', url: 'https://oauth.pipedrive.com/oauth/token', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
      expectClientAuthentication(exchange!, 'basic', PIPEDRIVE_CLIENT)
      await expectPkceVerifier(exchange!, connection.authorizeUrl)
      expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({ authOption: 'oauth', status: 'connected', testResult: { ok: true } })
    })

    it("tests the connection on the company's own host from api_domain, with the Bearer token", async () => {
      const connection = await connect('pipedrive', { authOption: 'oauth' })
      const { data } = await pipedrive.grantInfo(connection.grant)
      const calls = await pipedrive.requests(connection.grant, 'api')
      expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([`GET https://${String(data['companyDomain'])}.pipedrive.com/api/v1/users/me`])
      expect(calls[0]?.headers['authorization']).toBe(`Bearer ${await pipedrive.latestAccessToken(connection.grant)}`)
      expect(calls[0]?.query).toEqual({})
    })

    it('refreshes with the refresh token (Basic client auth) and proxies on api_domain with the new token', async () => {
      const connection = await connect('pipedrive', { authOption: 'oauth' })
      const before = await pipedrive.tokens(connection.grant)
      expect(await latchkey.refresh(connection.tenant, connection.connectionId)).toMatchObject({ authOption: 'oauth', status: 'connected' })

      const [, refresh] = await pipedrive.requests(connection.grant, 'token')
      expect(refresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: before.refresh[0]?.value })
      expectClientAuthentication(refresh!, 'basic', PIPEDRIVE_CLIENT)
      const latest = await pipedrive.latestAccessToken(connection.grant)
      expect(latest).not.toBe(before.access[0]?.value)
      expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(latest)

      const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/deals' })
      expect(response.status).toBe(200)
      const { data } = await pipedrive.grantInfo(connection.grant)
      const last = (await pipedrive.requests(connection.grant, 'api')).at(-1)
      expect(last).toMatchObject({ method: 'GET', url: `https://${String(data['companyDomain'])}.pipedrive.com/api/v1/deals` })
      expect(last?.headers['authorization']).toBe(`Bearer ${latest}`)
    })

    it('an expired access token is refreshed on the 401 and the test passes on retry', async () => {
      const connection = await connect('pipedrive', { authOption: 'oauth' })
      await pipedrive.expireAccessTokens(connection.grant)
      expect(await latchkey.testConnection(connection.tenant, connection.connectionId)).toMatchObject({ authOption: 'oauth', status: 'connected', testResult: { ok: true } })
      const log = await pipedrive.log(connection.grant)
      const afterConnect = log.slice(log.findIndex((entry) => entry.endpoint === 'api') + 1)
      expect(afterConnect.map((entry) => `${entry.endpoint} ${entry.form?.['grant_type'] ?? entry.path}`)).toEqual([
        'api /api/v1/users/me',
        'token refresh_token',
        'api /api/v1/users/me',
      ])
    })
  })
})
