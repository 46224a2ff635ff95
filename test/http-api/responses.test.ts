/**
 * What every HTTP API answer looks like: errors as RFC 9457 problem+json with the stable code,
 * `Cache-Control: no-store` on everything (S24: token-bearing answers are never cached), and
 * one audit line per call that names the key, tenant, connection and outcome but never a key
 * or a token.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { newTenant, storeConnection } from '../support/connections.ts'
import { keyWithout, TEST_API_KEYS } from './api-key-fixtures.ts'
import { callApi, problemOf } from './api-call.ts'
import { API_ROUTES, routeLabel } from './routes.ts'

const key = TEST_API_KEYS.all.key

afterEach(() => {
  vi.restoreAllMocks()
})

describe('problem details', () => {
  it('an error is application/problem+json with type, title, status, detail and the stable code', async () => {
    const response = await callApi('GET', '/v1/connections/conn_aaaaaaaaaaaaaaaaaaaaaaaaaa', { key, tenant: newTenant() })
    expect(await problemOf(response, 404)).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No connection with this id exists for this tenant.',
      code: 'connection_not_found',
    })
  })

  it.each([
    ['GET', '/v1/nothing-here'],
    ['PUT', '/v1/connections'],
    ['GET', '/v1'],
  ])('%s %s is route_not_found as problem+json', async (method, path) => {
    expect((await problemOf(await callApi(method, path, { key, tenant: newTenant() }), 404)).code).toBe('route_not_found')
  })

  it('S18 a JSON body over 64 KiB is refused with invalid_request, after the guard', async () => {
    const json = { connectorKey: 'test-oauth', connectionInput: { padding: 'x'.repeat(70 * 1024) } }
    const tenant = newTenant()
    expect((await problemOf(await callApi('POST', '/v1/connect-urls', { key, tenant, json }), 400)).code).toBe('invalid_request')
    expect((await problemOf(await callApi('POST', '/v1/connect-urls', { key: keyWithout('connections:write').key, tenant, json }), 403)).code).toBe('insufficient_scope')
  })
})

describe('caching', () => {
  it.each(API_ROUTES.map((route) => [routeLabel(route), route] as const))('S24 %s answers with Cache-Control: no-store, success or not', async (_label, route) => {
    const connection = await storeConnection({ label: `http-no-store-${route.operation}` })
    const json = route.json?.(connection.scenario.id)
    const options = { tenant: connection.tenant, ...(json === undefined ? {} : { json }) }
    for (const candidate of [key, undefined, keyWithout(route.scope).key]) {
      const response = await callApi(route.method, route.path(connection.connectionId), { ...options, ...(candidate === undefined ? {} : { key: candidate }) })
      expect(response.headers.get('Cache-Control'), `${response.status}`).toBe('no-store')
      await response.arrayBuffer()
    }
  })
})

describe('the audit log', () => {
  it('writes one line per call: key id, tenant, connection, operation, status and outcome, never a key or a token', async () => {
    const connection = await storeConnection({ label: 'http-audit' })
    const { connectionId, tenant } = connection
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    })

    await callApi('GET', `/v1/connections/${connectionId}/access-token`, { key, tenant })
    await callApi('GET', `/v1/connections/${connectionId}/access-token`, { key: `lk_${TEST_API_KEYS.all.id}_${'B'.repeat(43)}`, tenant })
    await callApi('GET', `/v1/connections/${connectionId}/credentials`, { key: keyWithout('tokens:read').key, tenant })
    await callApi('GET', `/v1/connections/${connectionId}/proxy/me?secret=query-value`, { key, tenant })
    await callApi('GET', '/v1/connections/not-a-connection-id', { key, tenant })
    vi.restoreAllMocks()

    const calls = lines.filter((line) => line.includes('"latchkey.api_call"')).map((line) => JSON.parse(line) as Record<string, unknown>)
    const event = 'latchkey.api_call'
    expect(calls.filter((call) => call['tenant'] === tenant)).toEqual([
      { event, keyId: TEST_API_KEYS.all.id, tenant, connectionId, operation: 'getAccessToken', status: 200, outcome: 'ok' },
      { event, keyId: null, tenant, connectionId, operation: 'getAccessToken', status: 401, outcome: 'invalid_api_key' },
      { event, keyId: TEST_API_KEYS.withoutTokensRead.id, tenant, connectionId, operation: 'getCredentials', status: 403, outcome: 'insufficient_scope' },
      { event, keyId: TEST_API_KEYS.all.id, tenant, connectionId, operation: 'proxy', status: 200, outcome: 'ok' },
      { event, keyId: TEST_API_KEYS.all.id, tenant, connectionId: null, operation: 'getConnection', status: 404, outcome: 'connection_not_found' },
    ])
    const everything = lines.join('\n')
    for (const secret of [
      TEST_API_KEYS.all.secret,
      TEST_API_KEYS.withoutTokensRead.secret,
      'B'.repeat(43),
      connection.tokens.access_token,
      connection.tokens.refresh_token,
      'query-value',
    ]) {
      expect(everything).not.toContain(secret)
    }
  })
})
