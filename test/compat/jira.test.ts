/**
 * Jira Cloud's API-token connector (connectors/jira/), unchanged, against the Jira emulator:
 * HTTP Basic with the account's email and an API token, on the site's own host
 * `<site>.atlassian.net` taken from the connection input (a single DNS label: the inputSchema
 * pattern keeps it from changing the host), a `rest-api-mapping` test of GET /myself.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createTypedConnection, expectCompiled, latchkey, latchkeyErrorCode } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import type { CredentialLoggedRequest } from './emulator/credential-provider.ts'
import { atlassian } from './emulator/atlassian.ts'
import { claimsHost } from './emulator/emulator.ts'
import { jira as jiraEmulator, type JiraAccount } from './emulator/jira.ts'

const jira = new EmulatorControl('jira')

afterEach(expectNoUnexpectedOutbound)

async function openAccount(): Promise<JiraAccount> {
  return (await jira.call('account')) as JiraAccount
}

async function requestsOf(grant: string | null): Promise<CredentialLoggedRequest[]> {
  return (await jira.call('log', { grant })) as CredentialLoggedRequest[]
}

function basic(username: string, password: string): string {
  return `Basic ${btoa(`${username}:${password}`)}`
}

describe('Jira (API token)', () => {
  it('is compiled into the registry', () => {
    expectCompiled('jira')
  })

  it("claims the sites (*.atlassian.net), none of the OAuth 2.0 emulator's hosts (atlassian.ts)", () => {
    const [sites, oauth] = [jiraEmulator().hosts, atlassian().hosts]
    expect(sites).toEqual(['*.atlassian.net'])
    expect(claimsHost(sites, 'your-domain.atlassian.net')).toBe(true)
    for (const host of oauth) expect(claimsHost(sites, host), host).toBe(false)
    expect(claimsHost(oauth, 'your-domain.atlassian.net')).toBe(false)
  })

  it('connects with site, email and API token: the test reads https://<site>.atlassian.net/rest/api/3/myself with Basic <email>:<token>', async () => {
    const account = await openAccount()
    const connection = await createTypedConnection('jira', account.credentials)
    expect(connection.summary).toMatchObject({ connectorKey: 'jira', status: 'connected', lastError: null, testResult: { ok: true } })

    const calls = await requestsOf(account.grant)
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([`GET https://${account.credentials.site}.atlassian.net/rest/api/3/myself`])
    expect(calls[0]?.headers['authorization']).toBe(basic(account.credentials.email, account.credentials.apiToken))
    expect(calls[0]?.authenticated).toBe(true)
  })

  it("proxies a REST call on the site with Basic auth and hands back Jira's answer", async () => {
    const account = await openAccount()
    const connection = await createTypedConnection('jira', account.credentials)
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/project/search?maxResults=50' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ total: 1, values: [{ key: 'COMPAT' }] })

    const last = (await requestsOf(account.grant)).at(-1)
    expect(last).toMatchObject({ method: 'GET', url: `https://${account.credentials.site}.atlassian.net/rest/api/3/project/search?maxResults=50`, authenticated: true })
    expect(last?.headers['authorization']).toBe(basic(account.credentials.email, account.credentials.apiToken))
  })

  it('S22 refuses a wrong API token (Jira answers 401): credentials_rejected, and nothing is stored', async () => {
    const account = await openAccount()
    const tenant = `tenant-${crypto.randomUUID()}`
    const connectionInput = { ...account.credentials, apiToken: 'ATATT3xFfGF0-revoked-token' }
    expect(await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'jira', connectionInput }))).toBe('credentials_rejected')
    expect((await latchkey.listConnections(tenant)).connections).toEqual([])
    expect((await requestsOf(account.grant)).map((call) => `${call.method} ${call.host}${call.path} ${call.authenticated}`)).toEqual([
      `GET ${account.credentials.site}.atlassian.net/rest/api/3/myself false`,
    ])
  })

  it('refuses a site that is not one DNS label before any request (the value becomes the host)', async () => {
    const account = await openAccount()
    for (const site of ['evil.example.com/x?', 'your-domain.atlassian.net', 'user@evil', '-leading-dash', '']) {
      const tenant = `tenant-${crypto.randomUUID()}`
      const connectionInput = { ...account.credentials, site }
      expect(await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'jira', connectionInput })), site).toBe('invalid_connection_input')
      expect((await latchkey.listConnections(tenant)).connections).toEqual([])
    }
    expect(await requestsOf(account.grant)).toEqual([])
  })

  it('refuses an email that is not an email address (inputSchema format) before any request', async () => {
    const account = await openAccount()
    const tenant = `tenant-${crypto.randomUUID()}`
    const connectionInput = { ...account.credentials, email: 'not-an-email' }
    expect(await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'jira', connectionInput }))).toBe('invalid_connection_input')
    expect(await requestsOf(account.grant)).toEqual([])
  })

  it("a token for another site is refused by that site's Jira", async () => {
    const [mine, other] = [await openAccount(), await openAccount()]
    const tenant = `tenant-${crypto.randomUUID()}`
    const connectionInput = { ...mine.credentials, site: other.credentials.site }
    expect(await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'jira', connectionInput }))).toBe('credentials_rejected')
    expect((await requestsOf(mine.grant)).map((call) => call.host)).toEqual([`${other.credentials.site}.atlassian.net`])
  })
})
