/**
 * Twilio's connector (connectors/twilio/), unchanged, against the Twilio emulator: HTTP Basic
 * with the Account SID as the user name and the Auth Token as the password, the SID in the
 * baseUri (so the proxy reaches only that account's resources), and a connection test that
 * calls the account's own URL, one level above baseUri, as connector code may.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createTypedConnection, expectCompiled, latchkey, latchkeyErrorCode } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import type { CredentialLoggedRequest } from './emulator/credential-provider.ts'
import type { TwilioAccount } from './emulator/twilio.ts'

const twilio = new EmulatorControl('twilio')

afterEach(expectNoUnexpectedOutbound)

async function openAccount(): Promise<TwilioAccount> {
  return (await twilio.call('account')) as TwilioAccount
}

async function requestsOf(grant: string): Promise<CredentialLoggedRequest[]> {
  return (await twilio.call('log', { grant })) as CredentialLoggedRequest[]
}

function basic(username: string, password: string): string {
  return `Basic ${btoa(`${username}:${password}`)}`
}

describe('Twilio', () => {
  it('is compiled into the registry', () => {
    expectCompiled('twilio')
  })

  it('connects with the Account SID and Auth Token: the test fetches /Accounts/<SID>.json with Basic <SID>:<token>', async () => {
    const account = await openAccount()
    const { accountSid, authToken } = account.credentials
    const connection = await createTypedConnection('twilio', { accountSid, authToken })
    expect(connection.summary).toMatchObject({ connectorKey: 'twilio', status: 'connected', lastError: null, testResult: { ok: true } })

    const calls = await requestsOf(account.grant)
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([`GET https://api.twilio.com/2010-04-01/Accounts/${accountSid}.json`])
    expect(calls[0]?.headers['authorization']).toBe(basic(accountSid, authToken))
    expect(calls[0]?.authenticated).toBe(true)
  })

  it("proxies a path relative to the account (baseUri holds the SID) with Basic auth and hands back Twilio's answer", async () => {
    const account = await openAccount()
    const { accountSid, authToken } = account.credentials
    const connection = await createTypedConnection('twilio', { accountSid, authToken })
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/Messages.json?PageSize=1' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ page_size: 1, messages: [{ account_sid: accountSid, status: 'delivered' }] })

    const last = (await requestsOf(account.grant)).at(-1)
    expect(last).toMatchObject({ method: 'GET', url: `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Messages.json?PageSize=1`, authenticated: true })
    expect(last?.headers['authorization']).toBe(basic(accountSid, authToken))
  })

  it("keeps the proxy inside the account: another account's URL is refused before anything is sent", async () => {
    const account = await openAccount()
    const { accountSid, authToken } = account.credentials
    const connection = await createTypedConnection('twilio', { accountSid, authToken })
    const otherAccount = `https://api.twilio.com/2010-04-01/Accounts/AC${'f'.repeat(32)}/Messages.json`
    for (const path of [otherAccount, `../AC${'f'.repeat(32)}/Messages.json`, `https://api.twilio.com/2010-04-01/Accounts/${accountSid}.json`]) {
      expect(await latchkeyErrorCode(() => latchkey.proxy(connection.tenant, connection.connectionId, { path })), path).toBe('invalid_request')
    }
    expect((await requestsOf(account.grant)).length).toBe(1)
  })

  it('S22 refuses a wrong Auth Token (Twilio error 20003): credentials_rejected, and nothing is stored', async () => {
    const account = await openAccount()
    const tenant = `tenant-${crypto.randomUUID()}`
    const connectionInput = { accountSid: account.credentials.accountSid, authToken: '0'.repeat(32) }
    expect(await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'twilio', connectionInput }))).toBe('credentials_rejected')
    expect((await latchkey.listConnections(tenant)).connections).toEqual([])

    const calls = await requestsOf(account.grant)
    expect(calls.map((call) => `${call.method} ${call.path} ${call.authenticated}`)).toEqual([`GET /2010-04-01/Accounts/${account.credentials.accountSid}.json false`])
    expect(calls[0]?.headers['authorization']).toBe(basic(account.credentials.accountSid, '0'.repeat(32)))
  })

  it('refuses an Account SID that is not AC + 32 hex digits before calling Twilio (inputSchema pattern)', async () => {
    const tenant = `tenant-${crypto.randomUUID()}`
    // An API key SID (SK...) is not an account: it would land in the URL path.
    const connectionInput = { accountSid: `SK${'1'.repeat(32)}`, authToken: '1'.repeat(32) }
    expect(await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'twilio', connectionInput }))).toBe('invalid_connection_input')
    expect((await latchkey.listConnections(tenant)).connections).toEqual([])
  })

  it('S22 never shows the Auth Token in the connection summary; getCredentials hands back SID and token', async () => {
    const account = await openAccount()
    const { accountSid, authToken } = account.credentials
    const connection = await createTypedConnection('twilio', { accountSid, authToken })
    expect(JSON.stringify(connection.summary)).not.toContain(authToken)
    expect(await latchkey.getCredentials(connection.tenant, connection.connectionId)).toMatchObject({ accountSid, authToken })
  })
})
