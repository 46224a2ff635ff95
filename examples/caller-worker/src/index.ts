/**
 * Example application Worker: shows a user's profile from a connected API through Latchkey.
 *
 *   GET /connections/<connectionId>/me   proxies GET /me of the connector's API
 *
 * When the connection needs the user again, it answers 409 with a fresh connect URL.
 */
import { LatchkeyClient, isLatchkeyClientError } from './latchkey-client.ts'

/** Bindings of this Worker (wrangler.toml). */
export interface Env {
  LATCHKEY: Fetcher
}

const ME_ROUTE = /^\/connections\/([^/]+)\/me$/

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const match = ME_ROUTE.exec(new URL(request.url).pathname)
    if (request.method !== 'GET' || match?.[1] === undefined) return new Response('Not found', { status: 404 })
    const connectionId = match[1]
    const tenant = await authenticatedTenant(request)
    if (tenant === null) return new Response('Sign in first', { status: 401 })

    const latchkey = new LatchkeyClient(env.LATCHKEY)
    try {
      return await latchkey.proxy(tenant, connectionId, { path: '/me' })
    } catch (error) {
      if (isLatchkeyClientError(error, 'needs_reauth')) {
        const { connectorKey } = await latchkey.getConnection(tenant, connectionId)
        const { url } = await latchkey.createConnectUrl({ tenant, connectorKey, connectionId })
        return Response.json({ error: 'needs_reauth', reconnectUrl: url }, { status: 409 })
      }
      if (isLatchkeyClientError(error, 'connection_not_found')) return Response.json({ error: 'connection_not_found' }, { status: 404 })
      throw error
    }
  },
} satisfies ExportedHandler<Env>

/**
 * Stand-in for the application's own sign-in: which tenant (user or account) this request
 * acts for. It reads a header only to keep the example short: derive the tenant from a
 * verified session in a real application, never from what the browser sends.
 */
async function authenticatedTenant(request: Request): Promise<string | null> {
  return request.headers.get('X-Example-Tenant')
}
