/**
 * The example connectors in connectors/, as compiled into the registry: their OAuth configs and
 * API clients evaluated on sample inputs, their JavaScript methods run with the Workers fetch.
 */
import { Validator } from '@cfworker/json-schema'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApiClient } from '../../src/connection/api-client.ts'
import { validateApiClientConfig, type ApiClientConfig } from '../../src/connection/api-client-config.ts'
import { sendApiCall, type ApiCallContext } from '../../src/connection/send-api-call.ts'
import { validateOAuthConfig } from '../../src/oauth/oauth-config.ts'
import { getConnector, listConnectors, runMethod } from '../../src/registry/registry.ts'
import { UpstreamScenario } from '../support/upstream.ts'

const EXAMPLE_CONNECTOR_KEYS = ['github', 'google', 'notion', 'quickbooks', 'salesforce', 'zendesk']

/** The examples of the other auth types (issue #13); test/compat runs each against an emulator of its provider. */
const OTHER_AUTH_EXAMPLE_KEYS = ['jira', 'mcp', 'paypal', 'pipedrive', 'stripe', 'trello', 'twilio']

const redirectUri = 'https://latchkey.test/oauth/callback'
const state = 'state-5b0c1f'
const clientId = 'client-id-123'
const clientSecret = 'client-secret-456'

/** The variables a getOAuthConfig mapping sees; `connectionParameters` is the older name of `connectionInput`. */
function oauthConfigArgs(connectorParameters: Record<string, unknown>, connectionInput: Record<string, unknown> = {}) {
  return { connectorParameters, connectionInput, connectionParameters: connectionInput, redirectUri, state }
}

/** The variables a makeApiClient mapping sees. */
function apiClientArgs(credentials: Record<string, unknown>, connectionInput: Record<string, unknown> = {}) {
  const connectorParameters = { clientId, clientSecret }
  return { credentials, connectorParameters, connectionInput, connectionParameters: connectionInput }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('registry', () => {
  it('compiles exactly the thirteen example connectors from connectors/', () => {
    const keys = listConnectors()
      .filter((connector) => Object.values(connector.auth.methods).every((method) => method.source.startsWith('connectors/')))
      .map((connector) => connector.key)
    expect(keys).toEqual([...EXAMPLE_CONNECTOR_KEYS, ...OTHER_AUTH_EXAMPLE_KEYS].sort())
  })

  it.each(EXAMPLE_CONNECTOR_KEYS)('%s has the methods an oauth2 connection needs', (key) => {
    const connector = getConnector(key)
    expect(connector.auth.type).toBe('oauth2')
    expect(Object.keys(connector.auth.methods)).toEqual(expect.arrayContaining(['getOAuthConfig', 'makeApiClient', 'test']))
  })
})

describe('getOAuthConfig', () => {
  const withScopes = { clientId, clientSecret, scopes: ['scope-a', 'scope-b'] }

  it.each([
    {
      key: 'github',
      name: 'github',
      connectorParameters: withScopes,
      connectionInput: {},
      expected: {
        clientId,
        clientSecret,
        authorizeUri: 'https://github.com/login/oauth/authorize',
        tokenUri: 'https://github.com/login/oauth/access_token',
        scopes: ['scope-a', 'scope-b'],
        clientAuthLocation: 'body',
        noRefreshToken: true,
      },
    },
    {
      key: 'github',
      name: 'github without scopes',
      connectorParameters: { clientId, clientSecret },
      connectionInput: {},
      expected: {
        clientId,
        clientSecret,
        authorizeUri: 'https://github.com/login/oauth/authorize',
        tokenUri: 'https://github.com/login/oauth/access_token',
        clientAuthLocation: 'body',
        noRefreshToken: true,
      },
    },
    {
      key: 'google',
      name: 'google',
      connectorParameters: withScopes,
      connectionInput: {},
      expected: {
        clientId,
        clientSecret,
        authorizeUri: 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUri: 'https://oauth2.googleapis.com/token',
        scopes: ['scope-a', 'scope-b'],
        clientAuthLocation: 'body',
        extra: { access_type: 'offline', prompt: 'consent' },
        // Google's discovery document (https://accounts.google.com/.well-known/openid-configuration):
        // its issuer and jwks_uri, so id_tokens are validated (S17) and the callback iss checked (S6).
        issuer: 'https://accounts.google.com',
        jwksUri: 'https://www.googleapis.com/oauth2/v3/certs',
      },
    },
    {
      key: 'quickbooks',
      name: 'quickbooks',
      connectorParameters: withScopes,
      connectionInput: { sandbox: true },
      expected: {
        clientId,
        clientSecret,
        authorizeUri: 'https://appcenter.intuit.com/connect/oauth2',
        tokenUri: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
        scopes: ['scope-a', 'scope-b'],
        clientAuthLocation: 'body',
      },
    },
    {
      key: 'zendesk',
      name: 'zendesk',
      connectorParameters: withScopes,
      connectionInput: { subdomain: 'acme-support' },
      expected: {
        clientId,
        clientSecret,
        authorizeUri: 'https://acme-support.zendesk.com/oauth/authorizations/new',
        tokenUri: 'https://acme-support.zendesk.com/oauth/tokens',
        scopes: ['scope-a', 'scope-b'],
        clientAuthLocation: 'body',
      },
    },
    {
      key: 'notion',
      name: 'notion',
      connectorParameters: { clientId, clientSecret },
      connectionInput: {},
      expected: {
        clientId,
        clientSecret,
        authorizeUri: 'https://api.notion.com/v1/oauth/authorize',
        tokenUri: 'https://api.notion.com/v1/oauth/token',
        clientAuthLocation: 'headers',
        skipPkce: true,
        extra: { owner: 'user' },
      },
    },
    {
      key: 'salesforce',
      name: 'salesforce',
      connectorParameters: { clientId, clientSecret },
      connectionInput: {},
      expected: {
        clientId,
        clientSecret,
        authorizeUri: 'https://login.salesforce.com/services/oauth2/authorize',
        tokenUri: 'https://login.salesforce.com/services/oauth2/token',
        scopes: ['api', 'refresh_token'],
        clientAuthLocation: 'body',
      },
    },
    {
      key: 'salesforce',
      name: 'salesforce sandbox with its own scopes',
      connectorParameters: withScopes,
      connectionInput: { sandbox: true },
      expected: {
        clientId,
        clientSecret,
        authorizeUri: 'https://test.salesforce.com/services/oauth2/authorize',
        tokenUri: 'https://test.salesforce.com/services/oauth2/token',
        scopes: ['scope-a', 'scope-b'],
        clientAuthLocation: 'body',
      },
    },
  ])('$name: the exact endpoints, scopes and client settings', async ({ key, connectorParameters, connectionInput, expected }) => {
    const connector = getConnector(key)
    const config = await runMethod(connector, 'getOAuthConfig', oauthConfigArgs(connectorParameters, connectionInput))
    expect(config).toStrictEqual(expected)
    // What the connect flow checks before it sends anyone to authorizeUri.
    expect(() => validateOAuthConfig(config, { connectorKey: key, connectorParameters, allowInsecureLoopback: false })).not.toThrow()
  })

  it('zendesk also reads the subdomain under the older name connectionParameters', async () => {
    const config = await runMethod(getConnector('zendesk'), 'getOAuthConfig', {
      connectorParameters: withScopes,
      connectionParameters: { subdomain: 'acme' },
      connectionInput: { subdomain: 'acme' },
      redirectUri,
      state,
    })
    expect(config).toMatchObject({ authorizeUri: 'https://acme.zendesk.com/oauth/authorizations/new' })
  })
})

describe('zendesk subdomain input', () => {
  const inputSchema = getConnector('zendesk').auth.inputSchema ?? {}

  it.each(['acme', 'acme-support', 'a', 'Acme2'])('accepts %j', (subdomain) => {
    expect(new Validator(inputSchema).validate({ subdomain }).valid).toBe(true)
  })

  it.each(['', 'evil.com/x', 'evil.com#', 'acme.zendesk.com', 'user@evil', 'acme/', '-acme', 'acme-', 'ac me', 'acme\n', 'a'.repeat(64)])(
    'rejects %j, which could move the OAuth and API host',
    (subdomain) => {
      expect(new Validator(inputSchema).validate({ subdomain }).valid).toBe(false)
    },
  )

  it('is required', () => {
    expect(new Validator(inputSchema).validate({}).valid).toBe(false)
  })
})

describe('makeApiClient', () => {
  const accessToken = 'access-token-xyz'
  const bearer = `Bearer ${accessToken}`

  it.each([
    {
      key: 'github',
      name: 'github',
      credentials: { access_token: accessToken },
      connectionInput: {},
      expected: {
        baseUri: 'https://api.github.com',
        headers: {
          Authorization: bearer,
          Accept: 'application/vnd.github+json',
          'X-GitHub-Api-Version': '2022-11-28',
          'User-Agent': 'Latchkey',
        },
      },
    },
    {
      key: 'google',
      name: 'google',
      credentials: { access_token: accessToken },
      connectionInput: {},
      expected: { baseUri: 'https://www.googleapis.com', headers: { Authorization: bearer } },
    },
    {
      key: 'quickbooks',
      name: 'quickbooks',
      credentials: { access_token: accessToken, realmId: '9130347', isSandbox: false },
      connectionInput: {},
      expected: {
        args: {
          baseUri: 'https://quickbooks.api.intuit.com/v3/company/9130347',
          headers: { Authorization: bearer, Accept: 'application/json' },
        },
      },
    },
    {
      key: 'quickbooks',
      name: 'quickbooks sandbox',
      credentials: { access_token: accessToken, realmId: '9130347', isSandbox: true },
      connectionInput: { sandbox: true },
      expected: {
        args: {
          baseUri: 'https://sandbox-quickbooks.api.intuit.com/v3/company/9130347',
          headers: { Authorization: bearer, Accept: 'application/json' },
        },
      },
    },
    {
      key: 'zendesk',
      name: 'zendesk',
      credentials: { access_token: accessToken },
      connectionInput: { subdomain: 'acme' },
      expected: { baseUri: 'https://acme.zendesk.com/api/v2', headers: { Authorization: bearer } },
    },
    {
      key: 'notion',
      name: 'notion',
      credentials: { access_token: accessToken },
      connectionInput: {},
      expected: { baseUri: 'https://api.notion.com/v1', headers: { Authorization: bearer, 'Notion-Version': '2026-03-11' } },
    },
    {
      key: 'salesforce',
      name: 'salesforce',
      credentials: { access_token: accessToken, instance_url: 'https://acme.my.salesforce.com' },
      connectionInput: {},
      expected: { baseUri: 'https://acme.my.salesforce.com/services/data/v66.0', headers: { Authorization: bearer } },
    },
  ])('$name: the exact base URI and headers', async ({ key, credentials, connectionInput, expected }) => {
    const connector = getConnector(key)
    const apiClient = await runMethod(connector, 'makeApiClient', apiClientArgs(credentials, connectionInput))
    expect(apiClient).toStrictEqual(expected)
  })
})

describe('quickbooks getCredentialsFromTokenResponse (stored as getCredentialsFromAccessTokenResponse)', () => {
  const tokenResponse = {
    access_token: 'access-token-xyz',
    refresh_token: 'refresh-token-abc',
    token_type: 'bearer',
    expires_in: 3600,
    x_refresh_token_expires_in: 8726400,
  }

  function callbackArgs(query: Record<string, string>, connectionInput: Record<string, unknown>) {
    return {
      connectorParameters: { clientId, clientSecret },
      connectionInput,
      connectionParameters: connectionInput,
      queryParameters: query,
      request: { query },
      tokenResponse,
    }
  }

  it.each([
    { connectionInput: { sandbox: true }, isSandbox: true },
    { connectionInput: { sandbox: false }, isSandbox: false },
    { connectionInput: {}, isSandbox: false },
  ])('keeps the token response and adds realmId from the callback query, sandbox input $connectionInput', async ({ connectionInput, isSandbox }) => {
    const credentials = await runMethod(
      getConnector('quickbooks'),
      'getCredentialsFromAccessTokenResponse',
      callbackArgs({ code: 'code-1', state, realmId: '9130347' }, connectionInput),
    )
    expect(credentials).toStrictEqual({ ...tokenResponse, realmId: '9130347', isSandbox })
  })

  it.each<Record<string, string>>([{}, { realmId: '' }, { realmId: '913/../me' }, { realmId: '9130347?x=1' }])(
    'rejects a callback whose realmId %j cannot be a company id',
    async (query) => {
      const result = runMethod(getConnector('quickbooks'), 'getCredentialsFromAccessTokenResponse', callbackArgs({ code: 'code-1', ...query }, {}))
      await expect(result).rejects.toMatchObject({ code: 'connector_method_failed' })
    },
  )
})

describe('salesforce getCredentialsFromAccessTokenResponse', () => {
  const tokenResponse = {
    access_token: 'access-token-xyz',
    refresh_token: 'refresh-token-abc',
    signature: 'c2lnbmF0dXJl',
    scope: 'refresh_token api',
    id: 'https://login.salesforce.com/id/00Dxx0000001gPL/005xx000001Sv6A',
    issued_at: '1700000000000',
    token_type: 'Bearer',
  }

  function args(instanceUrl: unknown) {
    return {
      connectorParameters: { clientId, clientSecret },
      connectionInput: {},
      connectionParameters: {},
      queryParameters: {},
      request: { query: {} },
      tokenResponse: { ...tokenResponse, instance_url: instanceUrl },
    }
  }

  it.each([
    ['https://acme.my.salesforce.com', 'https://acme.my.salesforce.com'],
    ['https://acme.my.salesforce.com/', 'https://acme.my.salesforce.com'],
  ])('keeps the token response with instance_url %j as the origin %j', async (instanceUrl, origin) => {
    const credentials = await runMethod(getConnector('salesforce'), 'getCredentialsFromAccessTokenResponse', args(instanceUrl))
    expect(credentials).toStrictEqual({ ...tokenResponse, instance_url: origin })
  })

  it.each([
    undefined,
    '',
    'http://acme.my.salesforce.com',
    'https://user:pass@evil.example',
    'https://evil.example/services',
    'https://acme.my.salesforce.com?x=1',
    'javascript:alert(1)',
    42,
  ])('rejects instance_url %j, which would send the token elsewhere', async (instanceUrl) => {
    const result = runMethod(getConnector('salesforce'), 'getCredentialsFromAccessTokenResponse', args(instanceUrl))
    await expect(result).rejects.toMatchObject({ code: 'connector_method_failed' })
  })
})

// Notion's token endpoint is fixed inside getTokenData and refreshCredentials (they receive no
// config to point elsewhere), so those two run against a fetch stub instead of the test upstream.

/** Answers fetch calls from a table of `METHOD url` -> response; any other request fails the test. */
function stubFetch(routes: Record<string, () => Response>) {
  const requests: Request[] = []
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init)
    requests.push(request.clone())
    const route = routes[`${request.method} ${request.url}`]
    if (!route) throw new Error(`unexpected outbound request ${request.method} ${request.url}`)
    return route()
  })
  return { requests, spy }
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const basicAuthorization = `Basic ${btoa(`${clientId}:${clientSecret}`)}`

describe('notion getTokenData', () => {
  const tokenEndpoint = 'POST https://api.notion.com/v1/oauth/token'
  const args = {
    connectorParameters: { clientId, clientSecret },
    connectionInput: {},
    connectionParameters: {},
    codeVerifier: undefined,
    queryParameters: { code: 'code-from-notion', state },
    redirectUri,
  }

  it('exchanges the code with a JSON body and HTTP Basic client authentication', async () => {
    const tokenResponse = { access_token: 'notion-access', token_type: 'bearer', refresh_token: 'notion-refresh', bot_id: 'bot-1' }
    const { requests } = stubFetch({ [tokenEndpoint]: () => json(tokenResponse) })

    const result = await runMethod(getConnector('notion'), 'getTokenData', args)

    expect(result).toStrictEqual(tokenResponse)
    expect(requests).toHaveLength(1)
    const request = requests[0]!
    expect(request.headers.get('Authorization')).toBe(basicAuthorization)
    expect(request.headers.get('Content-Type')).toBe('application/json')
    expect(request.headers.get('Notion-Version')).toBe('2026-03-11')
    expect(await request.json()).toStrictEqual({ grant_type: 'authorization_code', code: 'code-from-notion', redirect_uri: redirectUri })
  })

  it.each([400, 401, 500])('fails on HTTP %i without quoting the response body', async (status) => {
    stubFetch({ [tokenEndpoint]: () => json({ object: 'error', code: 'invalid_grant', message: 'echo code-from-notion' }, status) })

    const error: unknown = await runMethod(getConnector('notion'), 'getTokenData', args).catch((caught: unknown) => caught)

    expect(error).toMatchObject({ code: 'connector_method_failed' })
    const cause = (error as { cause?: unknown }).cause
    expect(cause).toBeInstanceOf(Error)
    expect((cause as Error).message).toContain(String(status))
    expect((cause as Error).message).not.toContain('code-from-notion')
    expect((cause as Error).message).not.toContain('invalid_grant')
  })

  it('makes no request without a code', async () => {
    const { spy } = stubFetch({})
    const result = runMethod(getConnector('notion'), 'getTokenData', { ...args, queryParameters: { state } })
    await expect(result).rejects.toMatchObject({ code: 'connector_method_failed' })
    expect(spy).not.toHaveBeenCalled()
  })
})

describe('notion refreshCredentials', () => {
  const tokenEndpoint = 'POST https://api.notion.com/v1/oauth/token'
  const credentials = { access_token: 'old-access', refresh_token: 'old-refresh', token_type: 'bearer', bot_id: 'bot-1' }
  const args = { connectorParameters: { clientId, clientSecret }, connectionInput: {}, connectionParameters: {}, credentials }

  it('sends the refresh token as JSON with HTTP Basic client authentication and returns the rotated tokens', async () => {
    const refreshed = { access_token: 'new-access', token_type: 'bearer', refresh_token: 'new-refresh', bot_id: 'bot-1' }
    const { requests } = stubFetch({ [tokenEndpoint]: () => json(refreshed) })

    const result = await runMethod(getConnector('notion'), 'refreshCredentials', args)

    expect(result).toStrictEqual(refreshed)
    const request = requests[0]!
    expect(request.headers.get('Authorization')).toBe(basicAuthorization)
    expect(request.headers.get('Content-Type')).toBe('application/json')
    expect(request.headers.get('Notion-Version')).toBe('2026-03-11')
    expect(await request.json()).toStrictEqual({ grant_type: 'refresh_token', refresh_token: 'old-refresh' })
  })

  it('keeps the old refresh token when the response carries none', async () => {
    stubFetch({ [tokenEndpoint]: () => json({ access_token: 'new-access', token_type: 'bearer', refresh_token: null }) })
    const result = await runMethod(getConnector('notion'), 'refreshCredentials', args)
    expect(result).toStrictEqual({ access_token: 'new-access', token_type: 'bearer', refresh_token: 'old-refresh' })
  })

  it('fails on HTTP 400 without quoting the response body', async () => {
    stubFetch({ [tokenEndpoint]: () => json({ object: 'error', code: 'invalid_grant', message: 'old-refresh is revoked' }, 400) })
    const error: unknown = await runMethod(getConnector('notion'), 'refreshCredentials', args).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'connector_method_failed' })
    expect(((error as { cause?: unknown }).cause as Error).message).not.toContain('old-refresh')
  })

  it('makes no request for a connection without a refresh token', async () => {
    const { spy } = stubFetch({})
    const result = runMethod(getConnector('notion'), 'refreshCredentials', { ...args, credentials: { access_token: 'old-access' } })
    await expect(result).rejects.toMatchObject({ code: 'connector_method_failed' })
    expect(spy).not.toHaveBeenCalled()
  })
})

describe('test methods, against the local test upstream', () => {
  const accessToken = 'access-token-xyz'

  it.each([
    {
      key: 'github',
      credentials: { access_token: accessToken },
      connectionInput: {},
      path: '/user',
      answer: { login: 'octocat', id: 1 },
      wrongAnswer: { message: 'not a user' },
    },
    {
      key: 'google',
      credentials: { access_token: accessToken },
      connectionInput: {},
      path: '/oauth2/v2/userinfo',
      answer: { id: '1234567890', email: 'user@example.com' },
      wrongAnswer: {},
    },
    {
      key: 'quickbooks',
      credentials: { access_token: accessToken, realmId: '9130347', isSandbox: true },
      connectionInput: { sandbox: true },
      path: '/v3/company/9130347/companyinfo/9130347',
      answer: { CompanyInfo: { CompanyName: 'Sandbox Company_US_1', Id: '1' }, time: '2026-01-01T00:00:00Z' },
      wrongAnswer: { QueryResponse: {} },
    },
    {
      key: 'zendesk',
      credentials: { access_token: accessToken },
      connectionInput: { subdomain: 'acme' },
      path: '/api/v2/users/me',
      answer: { user: { id: 35436, name: 'Agent' } },
      wrongAnswer: { user: { id: null, name: 'Anonymous user' } },
    },
    {
      key: 'notion',
      credentials: { access_token: accessToken },
      connectionInput: {},
      path: '/v1/users/me',
      answer: { object: 'user', id: 'bot-1', type: 'bot' },
      wrongAnswer: { object: 'error' },
    },
    {
      key: 'salesforce',
      credentials: { access_token: accessToken, instance_url: 'https://acme.my.salesforce.com' },
      connectionInput: {},
      path: '/services/data/v66.0/',
      answer: { sobjects: '/services/data/v66.0/sobjects', query: '/services/data/v66.0/query' },
      wrongAnswer: [],
    },
  ])(
    '$key: GET $path through the API client object; true only for the expected answer, an error for HTTP 401',
    async ({ key, credentials, connectionInput, path, answer, wrongAnswer }) => {
      const connector = getConnector(key)
      const apiClient = await evaluatedApiClient(key, credentials, connectionInput)
      // Same path and headers, on the test upstream instead of the provider's host.
      const scenario = new UpstreamScenario(`connectors-${key}-${crypto.randomUUID()}`)
      const localClient = methodApiClient({ ...apiClient, baseUri: `${scenario.base}${new URL(apiClient.baseUri).pathname.replace(/\/$/, '')}` }, credentials)
      await scenario.script(path, [{ body: answer }, { body: wrongAnswer }, { status: 401, body: { error: 'invalid_token' } }])
      const testArgs = { credentials, apiClient: localClient, connectorParameters: { clientId, clientSecret }, connectionInput, connectionParameters: connectionInput }

      expect(await runMethod(connector, 'test', testArgs)).toBe(true)
      expect(await runMethod(connector, 'test', testArgs)).toBe(false)
      await expect(runMethod(connector, 'test', testArgs)).rejects.toMatchObject({ code: 'connector_method_failed' })

      const { requests } = await scenario.log()
      expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual([`GET ${path}`, `GET ${path}`, `GET ${path}`])
      for (const request of requests) expect(request.headers).toMatchObject(lowerCaseKeys(apiClient.headers))
    },
  )
})

/**
 * The API client object a test method receives, over `config`, without a connection behind
 * it: a 401 finds nothing to refresh, a 429 is not retried.
 */
function methodApiClient(config: ApiClientConfig, credentials: Record<string, unknown>) {
  const context: ApiCallContext = {
    credentials,
    resolve: async () => ({ kind: 'config', config, responseHandlers: null }),
    refresh: async (rejected) => rejected,
    markDefunct: async () => undefined,
    sign: null,
    rateLimit: { baseDelayMs: 0, maxWaitMs: 0 },
    sleep: async () => undefined,
    random: () => 0,
    now: Date.now,
  }
  return createApiClient(config, (call) => sendApiCall(call, 'data', context), [])
}

/** The API client config a test method's client is made from: makeApiClient evaluated and validated as a connection does it. */
async function evaluatedApiClient(key: string, credentials: Record<string, unknown>, connectionInput: Record<string, unknown>) {
  const evaluated = await runMethod(getConnector(key), 'makeApiClient', apiClientArgs(credentials, connectionInput))
  return validateApiClientConfig(evaluated, { connectorKey: key, allowInsecureLoopback: false })
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))
}
