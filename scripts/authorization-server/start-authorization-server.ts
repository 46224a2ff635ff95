/**
 * Starts a real OAuth 2.0 / OpenID Connect authorization server (panva's oidc-provider) on
 * a loopback address: for Latchkey's end-to-end tests and for the local demo.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'
import { CONTROL_PREFIX, handleControlRequest } from './control-endpoint.ts'
import { handleInteractionRequest, INTERACTION_PREFIX } from './interaction-routes.ts'
import { providerConfiguration, type AuthorizationServerClient } from './provider-configuration.ts'
import { recordProviderActivity } from './record-provider-activity.ts'
import { ServerEventLog } from './server-events.ts'

/** Options of `startAuthorizationServer`. */
export interface AuthorizationServerOptions {
  /** TCP port; 0 or absent picks a free one. */
  port?: number
  /** Loopback address to listen on. */
  host: '127.0.0.1'
  clients: AuthorizationServerClient[]
  /** Access token lifetime in seconds (default 3600). */
  accessTokenTtlSeconds?: number
}

/** A running server. */
export interface AuthorizationServer {
  /** `http://127.0.0.1:<port>`: issuer identifier and origin of every endpoint. */
  issuer: string
  /** What the server saw and issued (also served at `GET ${issuer}/__test/events`). */
  events: ServerEventLog
  /** Stops listening and drops open connections. */
  close(): Promise<void>
}

/** Endpoint paths (oidc-provider defaults), also listed in `${issuer}/.well-known/openid-configuration`. */
export const AUTHORIZATION_SERVER_ROUTES = {
  authorization: '/auth',
  token: '/token',
  userinfo: '/me',
  jwks: '/jwks',
} as const

/**
 * Starts the server: static confidential clients (`client_secret_basic` or
 * `client_secret_post`), PKCE S256 required, refresh-token rotation with replay detection
 * (a replayed refresh token or code revokes the whole grant), opaque access tokens accepted
 * by the userinfo endpoint `/me` (the protected resource), and its own interaction pages under
 * `/interaction/` (interaction-routes.ts): any login name with any password, then a consent
 * page. Refresh tokens need `offline_access` in the scope and `prompt=consent` on the
 * authorize request. Call `close()` when done.
 */
export async function startAuthorizationServer(options: AuthorizationServerOptions): Promise<AuthorizationServer> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host, () => resolve())
  })
  const issuer = `http://${options.host}:${(server.address() as AddressInfo).port}`

  let provider: Provider
  try {
    provider = new Provider(issuer, await providerConfiguration(options.clients, options.accessTokenTtlSeconds ?? 3600))
  } catch (error) {
    // A bad client (e.g. an invalid redirect URI) must not leave the port open.
    server.close()
    throw error
  }
  const events = new ServerEventLog()
  recordProviderActivity(provider, events, AUTHORIZATION_SERVER_ROUTES)

  const providerHandler = provider.callback()
  server.on('request', (req, res) => {
    const url = req.url ?? ''
    if (url.startsWith(INTERACTION_PREFIX)) {
      void handleInteractionRequest(req, res, provider)
      return
    }
    if (!url.startsWith(CONTROL_PREFIX)) {
      void providerHandler(req, res)
      return
    }
    handleControlRequest(req, res, provider, events).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ error: 'control call failed', detail: String(error) }))
    })
  })

  return {
    issuer,
    events,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
