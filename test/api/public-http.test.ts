/**
 * S14: credentials leave Latchkey only over the service binding. The Worker's public HTTP
 * routes are exactly the ones listed here (the connect page under /connections is tested in
 * test/ui), and none of them returns a stored token to a caller without credentials, whatever
 * the method; guessed paths find nothing either.
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import app from '../../src/index.ts'
import { storeConnection } from '../support/connections.ts'

/** Route handlers outside the connect page: method and path as registered with Hono. */
const PUBLIC_ROUTES = [
  ['GET', '/connect/:connectorKey'],
  // The typed-credentials form (S22): the form, and its post (no credentials in either answer).
  ['GET', '/connect/credentials'],
  ['GET', '/health'],
  ['GET', '/oauth/callback'],
  ['GET', '/oauth/done'],
  // The user verifier (S21): the browser's return after the application confirmed, and the
  // application's signed confirmation; neither answers with credentials.
  ['GET', '/oauth/verified'],
  ['POST', '/connect/credentials'],
  ['POST', '/oauth/verify-user'],
]
/** Paths with middleware only (headers, method and deployment checks): they answer nothing themselves. */
const MIDDLEWARE_PATHS = ['/*', '/connect/:connectorKey', '/oauth/callback', '/oauth/verified']

const outsideConnectPage = app.routes.filter((route) => route.path !== '/connections' && !route.path.startsWith('/connections/'))

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
        if (path !== '/health') expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(400)
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
