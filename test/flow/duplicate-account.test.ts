/**
 * Who is connected, and one connection per account (issue #15): every connection carries the
 * account it acts for (`accountLabel`, `accountId`), read from a validated id_token or from
 * what the connector's test returned; a new connection of an account the tenant has connected
 * already (same connector, option and account id) updates that connection instead of adding
 * a second one, also when two completions for the account race. Against the test upstream
 * (test/setup/upstream-servers.ts), whose `apiUser` says who its API acts for.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { LatchkeyClient } from '@latchkey/client'
import type { ConnectionSummary } from '../../src/connection/connection-record.ts'
import { tenantDirectory } from '../../src/connection/tenant-directory.ts'
import { Browser } from '../support/browser.ts'
import { connectThroughFlow, flowUpToCallback, type FlowOptions } from '../support/connect-flow.ts'
import { newTenant } from '../support/connections.ts'
import { UpstreamScenario, webhookDeliveries } from '../support/upstream.ts'

const latchkey = new LatchkeyClient(env.LATCHKEY_SELF)

/** The access token Latchkey hands out now (the service itself: the client would answer from its cache). */
async function currentToken(tenant: string, connectionId: string): Promise<string> {
  return (await env.LATCHKEY_SELF.getAccessToken(tenant, connectionId)).accessToken
}

/** test-oauth asking for an id_token the Worker validates (the upstream's subject is `user-1`). */
const WITH_ID_TOKEN: FlowOptions = { input: { withIssuer: true, scopes: ['openid'] } }
/** test-account's OAuth option: its JavaScript test returns `{login, id}` of the API's user. */
const ACCOUNT_OAUTH: FlowOptions = { connectorKey: 'test-account', claims: { auth_option: 'oauth' } }

function scenarioFor(label: string): UpstreamScenario {
  return new UpstreamScenario(`${label}-${crypto.randomUUID()}`)
}

async function listed(tenant: string): Promise<ConnectionSummary[]> {
  return (await latchkey.listConnections(tenant)).connections
}

/** The event types delivered for `connectionId`, once `count` arrived (delivery is asynchronous). */
async function eventTypes(connectionId: string, count: number): Promise<string[]> {
  await vi.waitFor(async () => expect(await webhookDeliveries(connectionId)).toHaveLength(count))
  return (await webhookDeliveries(connectionId)).map((delivery) => (JSON.parse(delivery.body) as { type: string }).type)
}

describe('the account of a connection', () => {
  it('comes from the validated id_token: its email, and the subject namespaced by the issuer', async () => {
    const scenario = scenarioFor('account-idtoken')
    const tenant = newTenant()
    const { connectionId } = await connectThroughFlow(scenario, { ...WITH_ID_TOKEN, tenant })
    const summary = await latchkey.getConnection(tenant, connectionId)
    expect(summary).toMatchObject({ status: 'connected', accountLabel: 'user-1@example.test', accountId: `${scenario.issuer} user-1` })
    expect(await listed(tenant)).toEqual([summary])
  })

  it('comes from a JavaScript test that returns the API user {login, id}', async () => {
    const scenario = scenarioFor('account-js')
    await scenario.configure({ apiUser: { login: 'octocat', id: 583231 } })
    const tenant = newTenant()
    const { connectionId } = await connectThroughFlow(scenario, { ...ACCOUNT_OAUTH, tenant })
    expect(await latchkey.getConnection(tenant, connectionId)).toMatchObject({ status: 'connected', accountLabel: 'octocat', accountId: '583231' })
    expect(await listed(tenant)).toMatchObject([{ connectionId, accountLabel: 'octocat', accountId: '583231' }])
  })

  it('comes from a rest-api-mapping test without responseMapping (the response body)', async () => {
    const scenario = scenarioFor('account-rest')
    await scenario.configure({ apiUser: { id: 'u-7', email: 'ada@example.com', name: 'Ada' } })
    const tenant = newTenant()
    const { connectionId } = await connectThroughFlow(scenario, { connectorKey: 'test-account-rest', tenant })
    expect(await latchkey.getConnection(tenant, connectionId)).toMatchObject({ status: 'connected', accountLabel: 'ada@example.com', accountId: 'u-7' })
  })

  it('is unknown (null) when the test returns true and there is no id_token', async () => {
    const scenario = scenarioFor('account-none')
    const tenant = newTenant()
    const { connectionId } = await connectThroughFlow(scenario, { tenant })
    expect(await latchkey.getConnection(tenant, connectionId)).toMatchObject({ status: 'connected', accountLabel: null, accountId: null })
  })

  it('never holds a secret: a test result echoing the API key keeps only the id', async () => {
    const scenario = scenarioFor('account-secret')
    const apiKey = (await scenario.grant()).access_token
    await scenario.configure({ apiUser: { login: apiKey, id: 7 } })
    const tenant = newTenant()
    const summary = await latchkey.createConnection({ tenant, connectorKey: 'test-account', authOption: 'api-key', connectionInput: { scenario: scenario.id, apiKey } })
    expect(summary).toMatchObject({ status: 'connected', accountId: '7', accountLabel: '7' })
    expect(JSON.stringify(await listed(tenant))).not.toContain(apiKey)
  })

  it('keeps a label that contains a public field of the typed input (typed credentials are the input)', async () => {
    const scenario = scenarioFor('account-public')
    const apiKey = (await scenario.grant()).access_token
    await scenario.configure({ apiUser: { login: `ops-${scenario.id}`, id: 9 } })
    const summary = await latchkey.createConnection({
      tenant: newTenant(),
      connectorKey: 'test-account',
      authOption: 'api-key',
      connectionInput: { scenario: scenario.id, apiKey },
    })
    expect(summary).toMatchObject({ accountId: '9', accountLabel: `ops-${scenario.id}` })
  })

  it('reads as null from a directory summary stored before accounts were kept', async () => {
    const tenant = newTenant()
    const { connectionId } = await connectThroughFlow(scenarioFor('account-old'), { tenant })
    const current = await latchkey.getConnection(tenant, connectionId)
    const { accountLabel: _label, accountId: _id, ...old } = current
    await tenantDirectory(env, tenant).publishSummary(old as ConnectionSummary, Number.MAX_SAFE_INTEGER)
    const [entry] = await listed(tenant)
    expect(entry).toEqual({ ...old, accountLabel: null, accountId: null })
  })
})

describe('connecting an account the tenant has connected already', () => {
  it('updates the existing connection: one connection, the second flow names it, new credentials, a reconnect event', async () => {
    const scenario = scenarioFor('dup-idtoken')
    const tenant = newTenant()
    const first = await connectThroughFlow(scenario, { ...WITH_ID_TOKEN, tenant })
    const firstToken = await currentToken(tenant, first.connectionId)
    const second = await connectThroughFlow(scenario, { ...WITH_ID_TOKEN, tenant })

    expect(second.connectionId).toBe(first.connectionId)
    expect(await listed(tenant)).toMatchObject([{ connectionId: first.connectionId, status: 'connected', accountLabel: 'user-1@example.test' }])
    const secondToken = await currentToken(tenant, first.connectionId)
    expect(secondToken).not.toBe(firstToken)
    // The second grant's token is the one the upstream issued last: the API accepts it.
    const response = await latchkey.proxy(tenant, first.connectionId, { path: '/api/me' })
    expect(response.status).toBe(200)
    await response.body?.cancel()
    expect(await eventTypes(first.connectionId, 2)).toEqual(['connection.created', 'connection.reconnected'])
  })

  it('also when the account comes from the test result', async () => {
    const scenario = scenarioFor('dup-js')
    await scenario.configure({ apiUser: { login: 'octocat', id: 583231 } })
    const tenant = newTenant()
    const first = await connectThroughFlow(scenario, { ...ACCOUNT_OAUTH, tenant })
    const second = await connectThroughFlow(scenario, { ...ACCOUNT_OAUTH, tenant })
    expect(second.connectionId).toBe(first.connectionId)
    expect(await listed(tenant)).toHaveLength(1)
  })

  it('also for typed credentials (createConnection): the new key replaces the old one', async () => {
    const scenario = scenarioFor('dup-typed')
    await scenario.configure({ apiUser: { login: 'octocat', id: 583231 } })
    const tenant = newTenant()
    const keys = [(await scenario.grant()).access_token, (await scenario.grant()).access_token]
    const create = (apiKey: string) =>
      latchkey.createConnection({ tenant, connectorKey: 'test-account', authOption: 'api-key', connectionInput: { scenario: scenario.id, apiKey } })
    const first = await create(keys[0] ?? '')
    const second = await create(keys[1] ?? '')
    expect(second.connectionId).toBe(first.connectionId)
    expect(await listed(tenant)).toHaveLength(1)
    expect((await latchkey.getCredentials(tenant, first.connectionId))['apiKey']).toBe(keys[1])
  })

  it('keeps two connections for two different accounts', async () => {
    const scenario = scenarioFor('dup-two')
    const tenant = newTenant()
    await scenario.configure({ apiUser: { login: 'alice', id: 1 } })
    const alice = await connectThroughFlow(scenario, { ...ACCOUNT_OAUTH, tenant })
    await scenario.configure({ apiUser: { login: 'bob', id: 2 } })
    const bob = await connectThroughFlow(scenario, { ...ACCOUNT_OAUTH, tenant })
    expect(bob.connectionId).not.toBe(alice.connectionId)
    const labels = (await listed(tenant)).map((summary) => [summary.connectionId, summary.accountLabel])
    expect(labels).toEqual(
      expect.arrayContaining([
        [alice.connectionId, 'alice'],
        [bob.connectionId, 'bob'],
      ]),
    )
    expect(labels).toHaveLength(2)
  })

  it('does not merge the same account across tenants', async () => {
    const scenario = scenarioFor('dup-tenants')
    const first = await connectThroughFlow(scenario, { ...WITH_ID_TOKEN, tenant: newTenant() })
    const second = await connectThroughFlow(scenario, { ...WITH_ID_TOKEN, tenant: newTenant() })
    expect(second.connectionId).not.toBe(first.connectionId)
  })

  it('makes exactly one connection when two completions for the account run at once', async () => {
    const scenario = scenarioFor('dup-race')
    const tenant = newTenant()
    const options: FlowOptions = { ...WITH_ID_TOKEN, tenant, claims: { return_url: 'https://app.example.com/done' } }
    const browsers = [new Browser(), new Browser()]
    const callbacks = await Promise.all(browsers.map((browser) => flowUpToCallback(browser, scenario, options)))
    const responses = await Promise.all(browsers.map((browser, index) => browser.get(callbacks[index] ?? '')))
    const ids = responses.map((response) => new URL(response.headers.get('Location') ?? '').searchParams.get('connection_id'))
    expect(ids[0]).toMatch(/^conn_/)
    expect(ids[1]).toBe(ids[0])
    expect(await listed(tenant)).toMatchObject([{ connectionId: ids[0], status: 'connected' }])
  })

  it('creates a new connection once the previous one of the account was disconnected', async () => {
    const scenario = scenarioFor('dup-gone')
    const tenant = newTenant()
    const first = await connectThroughFlow(scenario, { ...WITH_ID_TOKEN, tenant })
    await latchkey.disconnect(tenant, first.connectionId)
    const second = await connectThroughFlow(scenario, { ...WITH_ID_TOKEN, tenant })
    expect(second.connectionId).not.toBe(first.connectionId)
    expect(await listed(tenant)).toMatchObject([{ connectionId: second.connectionId, accountLabel: 'user-1@example.test' }])
  })

  it('an explicit reconnect to a different account is allowed: that connection now shows the other account', async () => {
    const scenario = scenarioFor('dup-reconnect')
    const tenant = newTenant()
    await scenario.configure({ apiUser: { login: 'alice', id: 1 } })
    const alice = await connectThroughFlow(scenario, { ...ACCOUNT_OAUTH, tenant })
    await scenario.configure({ apiUser: { login: 'carol', id: 3 } })
    const reconnected = await connectThroughFlow(scenario, { ...ACCOUNT_OAUTH, tenant, claims: { auth_option: 'oauth', connection_id: alice.connectionId } })
    expect(reconnected.connectionId).toBe(alice.connectionId)
    expect(await listed(tenant)).toMatchObject([{ connectionId: alice.connectionId, accountLabel: 'carol', accountId: '3' }])
    // The index follows: carol connecting anew lands on that connection, alice anew is a new one.
    expect((await connectThroughFlow(scenario, { ...ACCOUNT_OAUTH, tenant })).connectionId).toBe(alice.connectionId)
    await scenario.configure({ apiUser: { login: 'alice', id: 1 } })
    expect((await connectThroughFlow(scenario, { ...ACCOUNT_OAUTH, tenant })).connectionId).not.toBe(alice.connectionId)
    expect(await listed(tenant)).toHaveLength(2)
  })
})
