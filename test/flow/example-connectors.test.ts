import { describe, expect, it } from 'vitest'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { mintConnectToken } from '../support/connect-token.ts'

const REDIRECT_URI = `${LATCHKEY_ORIGIN}/oauth/callback`

/** Starts a flow for an example connector and returns the authorize URL it redirects to. */
async function authorizeUrlOf(connectorKey: string, input: Record<string, unknown> = {}): Promise<URL> {
  const token = await mintConnectToken({ sub: 'tenant-1', input })
  const response = await new Browser().get(`${LATCHKEY_ORIGIN}/connect/${connectorKey}?token=${token}`)
  expect(response.status, await response.clone().text()).toBe(302)
  return new URL(response.headers.get('Location') ?? '')
}

describe('authorize URLs of the example connectors', () => {
  it.each([
    {
      key: 'github',
      input: {},
      endpoint: 'https://github.com/login/oauth/authorize',
      params: { client_id: 'github-test-client' },
      absent: ['scope'],
      pkce: true,
    },
    {
      key: 'google',
      input: {},
      endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      params: { client_id: 'google-test-client', scope: 'openid email', access_type: 'offline', prompt: 'consent' },
      absent: [],
      pkce: true,
    },
    {
      key: 'quickbooks',
      input: { sandbox: true },
      endpoint: 'https://appcenter.intuit.com/connect/oauth2',
      params: { client_id: 'quickbooks-test-client', scope: 'com.intuit.quickbooks.accounting' },
      absent: [],
      pkce: true,
    },
    {
      key: 'zendesk',
      input: { subdomain: 'acme' },
      endpoint: 'https://acme.zendesk.com/oauth/authorizations/new',
      params: { client_id: 'zendesk-test-client', scope: 'read' },
      absent: [],
      pkce: true,
    },
    {
      key: 'notion',
      input: {},
      endpoint: 'https://api.notion.com/v1/oauth/authorize',
      params: { client_id: 'notion-test-client', owner: 'user' },
      absent: ['scope', 'code_challenge', 'code_challenge_method'],
      pkce: false,
    },
    {
      key: 'salesforce',
      input: { sandbox: true },
      endpoint: 'https://test.salesforce.com/services/oauth2/authorize',
      params: { client_id: 'salesforce-test-client', scope: 'api refresh_token' },
      absent: [],
      pkce: true,
    },
  ])('$key', async ({ key, input, endpoint, params, absent, pkce }) => {
    const url = await authorizeUrlOf(key, input)
    expect(`${url.origin}${url.pathname}`).toBe(endpoint)
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ response_type: 'code', redirect_uri: REDIRECT_URI, ...params })
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(url.searchParams.get('code_challenge_method')).toBe(pkce ? 'S256' : null)
    for (const name of absent) expect(url.searchParams.has(name)).toBe(false)
    // The client secret never appears in a URL (S13).
    expect(url.toString()).not.toContain('test-secret')
  })

  it('refuses a Zendesk subdomain that could change the host', async () => {
    const token = await mintConnectToken({ sub: 'tenant-1', input: { subdomain: 'evil.com/x' } })
    const response = await new Browser().get(`${LATCHKEY_ORIGIN}/connect/zendesk?token=${token}`)
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('invalid_connection_input')
  })
})
