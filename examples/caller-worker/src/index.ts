/**
 * Example application Worker: shows a user's profile from a connected API through Latchkey.
 *
 *   GET /connections/<connectionId>/me   GET /me of the connector's API
 *
 * The API is called from this Worker (`fetchApi`, the client's direct proxy) with the
 * connection's API client configuration, which the client caches in this isolate. When the
 * connection needs the user again, it answers 409 with a fresh connect URL.
 */
import { LatchkeyClient, isLatchkeyClientError } from '@latchkey/client'

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

    const latchkey = latchkeyClient(env)
    try {
      return await latchkey.fetchApi(tenant, connectionId, { path: '/me' })
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
 * One client per binding for the life of the isolate, so that its caches serve every request
 * this isolate handles (a client made per request would start empty each time).
 */
const clients = new WeakMap<Fetcher, LatchkeyClient>()

function latchkeyClient(env: Env): LatchkeyClient {
  let client = clients.get(env.LATCHKEY)
  if (client === undefined) {
    client = new LatchkeyClient(env.LATCHKEY)
    clients.set(env.LATCHKEY, client)
  }
  return client
}

/**
 * Stand-in for the application's own sign-in: which tenant (user or account) this request
 * acts for. It reads a header only to keep the example short: derive the tenant from a
 * verified session in a real application, never from what the browser sends.
 */
async function authenticatedTenant(request: Request): Promise<string | null> {
  return request.headers.get('X-Example-Tenant')
}
