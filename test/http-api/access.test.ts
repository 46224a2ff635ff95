/**
 * S24: every route of the HTTP API checks the key, its scope and its tenant restriction before
 * anything else, and no answer tells a caller whether a connection it may not see exists.
 */
import { describe, expect, it } from 'vitest'
import { newConnectionId } from '../../src/connection-id.ts'
import { newTenant, storeConnection, storedSummary, type StoredConnection } from '../support/connections.ts'
import { ACME_PREFIX, keyWithout, TEST_API_KEYS } from './api-key-fixtures.ts'
import { callApi, problemOf, type ApiCallOptions } from './api-call.ts'
import { API_ROUTES, routeLabel, type ApiRoute } from './routes.ts'

const ALL = TEST_API_KEYS.all
const ROUTE_CASES = API_ROUTES.map((route) => [routeLabel(route), route] as const)
const BY_ID_CASES = ROUTE_CASES.filter(([, route]) => route.byId)

/** Calls `route` for `connection` (its id, its tenant and a body the route accepts), with `options` on top. */
function callRoute(route: ApiRoute, connection: StoredConnection, options: ApiCallOptions & { connectionId?: string }): Promise<Response> {
  const json = route.json?.(connection.scenario.id)
  return callApi(route.method, route.path(options.connectionId ?? connection.connectionId), {
    tenant: connection.tenant,
    ...(json === undefined ? {} : { json }),
    ...options,
  })
}

/** The connection was not touched: nothing reached its provider, its record is as stored, its tenant has nothing new. */
async function expectUntouched(connection: StoredConnection): Promise<void> {
  expect((await connection.scenario.log()).requests).toEqual([])
  expect(await storedSummary(connection.connectionId)).toEqual(connection.summary)
  const listing = await callApi('GET', '/v1/connections', { key: ALL.key, tenant: connection.tenant })
  expect(((await listing.json()) as { connections: Array<{ connectionId: string }> }).connections.map((summary) => summary.connectionId)).toEqual([connection.connectionId])
}

describe('S24 who may call', () => {
  it.each(ROUTE_CASES)('S24 %s refuses no key, a wrong key, a wrong secret, a key without the scope and a key for another tenant, touching nothing', async (_label, route) => {
    const connection = await storeConnection({ label: `s24-${route.operation}` })
    const answers: Response[] = []
    const refused = async (options: ApiCallOptions, status: number, code: string): Promise<Response> => {
      const response = await callRoute(route, connection, options)
      answers.push(response.clone())
      expect((await problemOf(response.clone(), status)).code, JSON.stringify(options)).toBe(code)
      return response
    }

    const none = await refused({}, 401, 'api_key_required')
    expect(none.headers.get('WWW-Authenticate')).toBe('Bearer realm="latchkey"')
    await refused({ headers: { Authorization: `Basic ${btoa(`${ALL.id}:${ALL.secret}`)}` } }, 401, 'api_key_required')

    const unknownId = await refused({ key: `lk_unknownkey01_${ALL.secret}` }, 401, 'invalid_api_key')
    expect(unknownId.headers.get('WWW-Authenticate')).toBe('Bearer realm="latchkey", error="invalid_token"')
    await refused({ key: `lk_${ALL.id}_${'A'.repeat(43)}` }, 401, 'invalid_api_key')
    await refused({ key: `lk_${ALL.id}_${ALL.secret}x` }, 401, 'invalid_api_key')
    await refused({ key: ALL.secret }, 401, 'invalid_api_key')
    await refused({ key: `lk_${ALL.id}` }, 401, 'invalid_api_key')

    const withoutScope = await refused({ key: keyWithout(route.scope).key }, 403, 'insufficient_scope')
    expect(withoutScope.headers.get('WWW-Authenticate')).toBe(`Bearer realm="latchkey", error="insufficient_scope", scope="${route.scope}"`)

    if (route.tenant) await refused({ key: TEST_API_KEYS.acme.key }, 403, 'tenant_not_allowed')

    for (const answer of answers) {
      const text = `${await answer.text()}\n${JSON.stringify([...answer.headers])}`
      expect(text).not.toContain(connection.tokens.access_token)
      expect(text).not.toContain(connection.tokens.refresh_token)
      expect(text).not.toContain(ALL.secret)
    }
    await expectUntouched(connection)
  })

  it.each(ROUTE_CASES)('S24 %s checks the key, then the scope, then the tenant, before it reads the request', async (_label, route) => {
    const connection = await storeConnection({ label: `s24-order-${route.operation}` })
    // A body that could never pass validation (GET requests carry none).
    const garbage = route.method === 'GET' ? {} : { json: undefined, body: '{"not json', headers: { 'Content-Type': 'application/json' } }

    expect((await problemOf(await callRoute(route, connection, { ...garbage, tenant: '' }), 401)).code).toBe('api_key_required')
    expect((await problemOf(await callRoute(route, connection, { ...garbage, key: keyWithout(route.scope).key, tenant: 'x'.repeat(300) }), 403)).code).toBe('insufficient_scope')
    if (route.tenant) {
      expect((await problemOf(await callRoute(route, connection, { ...garbage, key: TEST_API_KEYS.acme.key }), 403)).code).toBe('tenant_not_allowed')
      expect((await problemOf(await callRoute(route, connection, { key: ALL.key, tenant: '' }), 400)).code).toBe('invalid_request')
    }
    await expectUntouched(connection)
  })

  it.each(BY_ID_CASES)('S24 %s refuses a key for another tenant prefix alike for an existing, an unknown and a malformed connection id', async (_label, route) => {
    const connection = await storeConnection({ label: `s24-prefix-${route.operation}` })
    const answers = []
    for (const connectionId of [connection.connectionId, newConnectionId(), 'conn_not-an-id']) {
      const problem = await problemOf(await callRoute(route, connection, { key: TEST_API_KEYS.acme.key, connectionId }), 403)
      answers.push(problem)
    }
    expect(answers[0]?.code).toBe('tenant_not_allowed')
    expect(answers[1]).toEqual(answers[0])
    expect(answers[2]).toEqual(answers[0])
    await expectUntouched(connection)
  })

  it.each(BY_ID_CASES)("S24 %s answers another tenant's connection exactly like one that does not exist", async (_label, route) => {
    const connection = await storeConnection({ label: `s24-other-${route.operation}` })
    const intruder = newTenant()
    const json = route.json?.(connection.scenario.id)
    const ask = async (connectionId: string) => {
      const response = await callApi(route.method, route.path(connectionId), { key: ALL.key, tenant: intruder, ...(json === undefined ? {} : { json }) })
      return { problem: await problemOf(response, 404), headers: [...response.headers] }
    }

    const other = await ask(connection.connectionId)
    const missing = await ask(newConnectionId())

    expect(other.problem.code).toBe('connection_not_found')
    expect(other).toEqual(missing)
    await expectUntouched(connection)
  })

  it("S24 a key restricted to a tenant prefix reaches its tenants, and another of its tenants' connection is not found", async () => {
    const connection = await storeConnection({ label: 's24-acme', tenant: `${ACME_PREFIX}${crypto.randomUUID()}` })
    const key = TEST_API_KEYS.acme.key

    const own = await callApi('GET', `/v1/connections/${connection.connectionId}/access-token`, { key, tenant: connection.tenant })
    expect(await own.json()).toEqual({ accessToken: connection.tokens.access_token, expiresAt: connection.summary.expiresAt })

    const sibling = await callApi('GET', `/v1/connections/${connection.connectionId}/access-token`, { key, tenant: `${ACME_PREFIX}${crypto.randomUUID()}` })
    expect((await problemOf(sibling, 404)).code).toBe('connection_not_found')
    // The prefix is a plain string prefix, compared as is: case and look-alikes do not pass.
    const upper = await callApi('GET', `/v1/connections/${connection.connectionId}`, { key, tenant: connection.tenant.toUpperCase() })
    expect((await problemOf(upper, 403)).code).toBe('tenant_not_allowed')
  })

  it('S24 a reconnect URL for a connection of another tenant is refused like one for an unknown connection', async () => {
    const connection = await storeConnection({ label: 's24-reconnect-url' })
    const ask = async (connectionId: string) =>
      problemOf(await callApi('POST', '/v1/connect-urls', { key: ALL.key, tenant: newTenant(), json: { connectorKey: 'test-oauth', connectionId } }), 404)

    const other = await ask(connection.connectionId)
    expect(other.code).toBe('connection_not_found')
    expect(await ask(newConnectionId())).toEqual(other)
  })
})
