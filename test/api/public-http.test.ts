/**
 * S14: credentials leave Latchkey only over the service binding, or over the opt-in HTTP API
 * with a valid key and scope (S24, test/http-api). The Worker's public HTTP routes are exactly
 * the ones listed here (the connect page under /connections is tested in test/ui), and none of
 * them returns a stored token to a caller without credentials, whatever the method; guessed
 * paths find nothing either. With API_KEYS unset the HTTP API does not exist: every /v1 path
 * is the ordinary 404 page.
 */
import { env } from 'cloudflare:workers'
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import app from '../../src/index.ts'
import { httpApi } from '../../src/http-api/latchkey-http-api.ts'
import { storeConnection } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { TEST_API_KEYS } from '../http-api/api-key-fixtures.ts'
import { callApi } from '../http-api/api-call.ts'
import { API_ROUTES } from '../http-api/routes.ts'

/** Route handlers outside the connect page: method and path as registered with Hono. */
const PUBLIC_ROUTES = [
  ['GET', '/connect/:connectorKey'],
  // The typed-credentials form (S22): the form, and its post (no credentials in either answer).
  ['GET', '/connect/credentials'],
  ['GET', '/health'],
  ['GET', '/oauth/callback'],
  // Latchkey's client ID metadata document (discovered connections, issue #17): public by design, no secret in it.
  ['GET', '/oauth/client-metadata.json'],
  ['GET', '/oauth/done'],
  // The user verifier (S21): the browser's return after the application confirmed, and the
  // application's signed confirmation; neither answers with credentials.
  ['GET', '/oauth/verified'],
  ['POST', '/connect/credentials'],
  ['POST', '/oauth/verify-user'],
]
/** Latchkey's client ID metadata document: public by design. */
const CLIENT_METADATA_PATH = '/oauth/client-metadata.json'
/** Paths with middleware only (headers, method and deployment checks): they answer nothing themselves. */
const MIDDLEWARE_PATHS = ['/*', '/connect/:connectorKey', '/oauth/callback', '/oauth/verified']

/**
 * The HTTP API's own routes (src/http-api/, behind the Worker's one `/v1/*` route), each
 * registered as several handlers (guard, validators, operation): the operations, the public
 * OpenAPI document, the proxy for every method, and for `/v1/*` the switch, the audit
 * middleware and the not-found answer.
 */
const HTTP_API_ROUTES = [
  ['ALL', '/v1/*'],
  ['ALL', '/v1/connections/:id/proxy/*'],
  ['DELETE', '/v1/connections/:id'],
  ['GET', '/v1/connections'],
  ['GET', '/v1/connections/:id'],
  ['GET', '/v1/connections/:id/access-token'],
  ['GET', '/v1/connections/:id/credentials'],
  ['GET', '/v1/connectors'],
  ['GET', '/v1/openapi.json'],
  ['POST', '/v1/connect-urls'],
  ['POST', '/v1/connections'],
  ['POST', '/v1/connections/:id/refresh'],
  ['POST', '/v1/connections/:id/test'],
]

const isHttpApi = (path: string) => path === '/v1' || path.startsWith('/v1/')
const outsideConnectPage = app.routes.filter((route) => route.path !== '/connections' && !route.path.startsWith('/connections/') && !isHttpApi(route.path))
/** The Worker's environment with the HTTP API off (API_KEYS unset), as every deployment starts. */
const apiOff = { ...env, API_KEYS: undefined } as unknown as Env

describe('S14 public HTTP routes', () => {
  it('S14 the Worker registers exactly these routes outside the connect page', () => {
    const handlers = outsideConnectPage.filter((route) => route.method !== 'ALL').map((route) => [route.method, route.path])
    expect(handlers.sort()).toEqual(PUBLIC_ROUTES)
    const middleware = new Set(outsideConnectPage.filter((route) => route.method === 'ALL').map((route) => route.path))
    expect([...middleware].sort()).toEqual(MIDDLEWARE_PATHS)
  })

  it('S14 no listed route returns a stored token without credentials, whatever the method', async () => {
    const connection = await storeConnection({ label: 's14-routes' })
    const { connectionId, tenant } = connection
    const query = `?connectionId=${connectionId}&connection_id=${connectionId}&tenant=${tenant}&status=connected`
    for (const [, path = ''] of PUBLIC_ROUTES) {
      const url = `https://latchkey.test${path.replace(':connectorKey', 'test-oauth')}${query}`
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']) {
        const response = await SELF.fetch(url, { method, redirect: 'manual' })
        const body = `${await response.text()}\n${JSON.stringify([...response.headers])}`
        expect(body, `${method} ${path}`).not.toContain(connection.tokens.access_token)
        expect(body, `${method} ${path}`).not.toContain(connection.tokens.refresh_token)
        // /health, and the client ID metadata document to GET and HEAD, answer: neither holds anything of a connection.
        const answers = path === '/health' || (path === CLIENT_METADATA_PATH && (method === 'GET' || method === 'HEAD'))
        if (!answers) expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(400)
      }
    }
    expect(await (await SELF.fetch('https://latchkey.test/health')).json()).toEqual({ ok: true })
  })

  it('S14 guessed paths find no token either', async () => {
    const connection = await storeConnection({ label: 's14-http' })
    const { connectionId, tenant } = connection
    const paths = [
      `/connections/${connectionId}`,
      `/connections/${connectionId}/token`,
      `/connections/${connectionId}/credentials`,
      `/api/connections/${connectionId}`,
      `/token?connectionId=${connectionId}&tenant=${tenant}`,
      `/credentials?connectionId=${connectionId}&tenant=${tenant}`,
      `/proxy/${connectionId}/me`,
      `/${connectionId}`,
      `/rpc/getAccessToken?tenant=${tenant}&connectionId=${connectionId}`,
    ]
    for (const path of paths) {
      for (const method of ['GET', 'POST']) {
        const response = await SELF.fetch(`https://latchkey.test${path}`, { method })
        const body = await response.text()
        expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(400)
        expect(body, `${method} ${path}`).not.toContain(connection.tokens.access_token)
        expect(body, `${method} ${path}`).not.toContain(connection.tokens.refresh_token)
      }
    }
  })
})

describe('S14 the opt-in HTTP API', () => {
  it('S14 the Worker hands /v1/* to the HTTP API, which registers exactly these routes', () => {
    expect(app.routes.filter((route) => isHttpApi(route.path)).map((route) => `${route.method} ${route.path}`)).toEqual(['ALL /v1/*'])
    const routes = new Set(httpApi.routes.map((route) => `${route.method} ${route.path}`))
    expect([...routes].sort()).toEqual(HTTP_API_ROUTES.map(([method, path]) => `${method} ${path}`))
  })

  it('S14 is off without API_KEYS: every /v1 path is the ordinary 404 page, whatever the method, key or tenant', async () => {
    const connection = await storeConnection({ label: 's14-api-off' })
    const paths = [...API_ROUTES.map((route) => route.path(connection.connectionId)), '/v1/openapi.json', '/v1', '/v1/anything']
    for (const path of paths) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
        const response = await callApi(method, path, { env: apiOff, key: TEST_API_KEYS.all.key, tenant: connection.tenant })
        const body = await response.clone().text()
        expect(response.status, `${method} ${path}`).toBe(404)
        expect(response.headers.get('Content-Type'), `${method} ${path}`).toMatch(/^text\/html/)
        expect(await errorCodeOf(response), `${method} ${path}`).toBe('route_not_found')
        expect(body).not.toContain(connection.tokens.access_token)
      }
    }
    expect((await connection.scenario.log()).requests).toEqual([])
  })

  it('S14 with API_KEYS set, no /v1 route returns a token without a key, whatever the method', async () => {
    const connection = await storeConnection({ label: 's14-api-on' })
    for (const route of API_ROUTES) {
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']) {
        const response = await callApi(method, route.path(connection.connectionId), { tenant: connection.tenant })
        const body = `${await response.text()}\n${JSON.stringify([...response.headers])}`
        expect([401, 404], `${method} ${route.path('{id}')}`).toContain(response.status)
        expect(body).not.toContain(connection.tokens.access_token)
        expect(body).not.toContain(connection.tokens.refresh_token)
      }
    }
    expect((await connection.scenario.log()).requests).toEqual([])
  })

  it('S14 with API_KEYS set, a valid key with the tokens:read scope receives the access token', async () => {
    const connection = await storeConnection({ label: 's14-api-key' })
    const response = await callApi('GET', `/v1/connections/${connection.connectionId}/access-token`, { key: TEST_API_KEYS.all.key, tenant: connection.tenant })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { accessToken: string }).accessToken).toBe(connection.tokens.access_token)
  })
})
