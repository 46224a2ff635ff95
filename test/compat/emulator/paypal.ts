/**
 * PayPal REST APIs with the OAuth 2.0 client-credentials grant, as documented at
 * https://developer.paypal.com/api/rest/authentication/:
 * - POST /v1/oauth2/token with the REST app's client ID and secret in HTTP Basic and
 *   `grant_type=client_credentials` (form body); the answer carries `scope`, `access_token`,
 *   `token_type: "Bearer"`, `app_id`, `expires_in` (about nine hours) and `nonce`, and no
 *   refresh token: a new grant is the refresh. Each grant issues a new access token;
 * - a wrong client is 401 `{error: "invalid_client", error_description: "Client Authentication failed"}`;
 * - live apps on https://api-m.paypal.com, sandbox apps on https://api-m.sandbox.paypal.com
 *   (https://developer.paypal.com/api/rest/requests/); an app works only in its own environment;
 * - APIs take `Authorization: Bearer <access token>`; an unknown or expired one is 401
 *   `{error: "invalid_token"}`; GET /v1/notifications/webhooks lists the app's webhooks
 *   (https://developer.paypal.com/docs/api/webhooks/v1/).
 *
 * Control actions: `app` (body `{environment?: "live" | "sandbox"}`) registers a REST app and
 * returns its `grant` (the app id) and credentials; `log`, `tokens`, `expire` with `{grant}`.
 */
import { json, loggedRequest, UNROUTED_HEADER, UnknownControlAction, type EmulatedRequest, type LoggedRequest, type ProviderEmulator } from './emulator.ts'
import { ALPHANUMERIC, basicCredentials, randomOf } from './credential-provider.ts'
import { bearerToken } from './oauth2-provider.ts'

/** Seconds a PayPal access token lives. */
export const PAYPAL_TOKEN_LIFETIME = 32400

/** A REST app the emulator registered (control action `app`). */
export interface PayPalApp {
  grant: string
  environment: 'live' | 'sandbox'
  credentials: { clientId: string; clientSecret: string }
}

const HOSTS = { live: 'api-m.paypal.com', sandbox: 'api-m.sandbox.paypal.com' } as const

interface AccessTokenRecord {
  appId: string
  expiresAt: number
  expired: boolean
}

/** A fresh PayPal emulator. */
export function paypal(): ProviderEmulator {
  const apps = new Map<string, PayPalApp>()
  const accessTokens = new Map<string, AccessTokenRecord>()
  const log: LoggedRequest[] = []

  function record(request: EmulatedRequest, endpoint: LoggedRequest['endpoint'], grant: string | null, form: Record<string, string> | null): void {
    log.push(loggedRequest(request, endpoint, grant, form))
  }

  function environmentOf(request: EmulatedRequest): PayPalApp['environment'] {
    return request.url.hostname === HOSTS.sandbox ? 'sandbox' : 'live'
  }

  function token(request: EmulatedRequest): Response {
    const type = (request.headers.get('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase()
    const form = type === 'application/x-www-form-urlencoded' ? Object.fromEntries(new URLSearchParams(request.body)) : null
    const basic = basicCredentials(request)
    // The client id names the app even when the secret is wrong: the log says whose request it was.
    const app = [...apps.values()].find((candidate) => candidate.credentials.clientId === basic?.username && candidate.environment === environmentOf(request))
    record(request, 'token', app?.grant ?? null, form)
    if (app === undefined || app.credentials.clientSecret !== basic?.password || form?.['client_secret'] !== undefined) {
      return json(401, { error: 'invalid_client', error_description: 'Client Authentication failed' })
    }
    if (form === null || form['grant_type'] !== 'client_credentials') return json(400, { error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' })
    const accessToken = `A21AA${randomOf(ALPHANUMERIC, 90)}`
    accessTokens.set(accessToken, { appId: app.grant, expiresAt: Date.now() + PAYPAL_TOKEN_LIFETIME * 1000, expired: false })
    return json(
      200,
      {
        scope: 'https://uri.paypal.com/services/invoicing https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/applications/webhooks',
        access_token: accessToken,
        token_type: 'Bearer',
        app_id: `APP-${randomOf(ALPHANUMERIC, 17).toUpperCase()}`,
        expires_in: PAYPAL_TOKEN_LIFETIME,
        nonce: `${new Date().toISOString().slice(0, 19)}Z${randomOf(ALPHANUMERIC, 43)}`,
      },
      { 'Cache-Control': 'no-store', 'Paypal-Debug-Id': randomOf(ALPHANUMERIC, 13).toLowerCase() },
    )
  }

  const routes: Record<string, (app: PayPalApp) => Response> = {
    'GET /v1/notifications/webhooks': (app) =>
      json(200, {
        webhooks: [
          {
            id: `WH-${randomOf(ALPHANUMERIC, 17).toUpperCase()}`,
            url: `https://shop.example.com/paypal/${app.grant}`,
            event_types: [{ name: 'PAYMENT.CAPTURE.COMPLETED', description: 'A payment capture completes.' }],
          },
        ],
      }),
    'GET /v1/notifications/webhooks-event-types': () =>
      json(200, {
        event_types: [
          { name: 'PAYMENT.CAPTURE.COMPLETED', description: 'A payment capture completes.', status: 'ENABLED' },
          { name: 'CHECKOUT.ORDER.APPROVED', description: 'A buyer approved a checkout order.', status: 'ENABLED' },
        ],
      }),
  }

  function api(request: EmulatedRequest): Response {
    const route = routes[`${request.method} ${request.url.pathname}`]
    const presented = bearerToken(request)
    const issued = presented === null ? undefined : accessTokens.get(presented)
    const app = issued === undefined ? undefined : apps.get(issued.appId)
    if (route === undefined) {
      record(request, 'unrouted', app?.grant ?? null, null)
      return json(404, { name: 'RESOURCE_NOT_FOUND', message: `the paypal emulator has no route for ${request.method} ${request.url.pathname}` }, { [UNROUTED_HEADER]: 'true' })
    }
    record(request, 'api', app?.grant ?? null, null)
    if (issued === undefined || app === undefined || app.environment !== environmentOf(request)) {
      return json(401, { error: 'invalid_token', error_description: 'Token signature verification failed' })
    }
    if (issued.expired || Date.now() >= issued.expiresAt) return json(401, { error: 'invalid_token', error_description: 'Access Token not found in cache' })
    return route(app)
  }

  function requireApp(input: Record<string, unknown>): PayPalApp {
    const app = apps.get(String(input['grant']))
    if (app === undefined) throw new Error(`no app ${String(input['grant'])}`)
    return app
  }

  const controls: Record<string, (input: Record<string, unknown>) => unknown> = {
    app: (input) => {
      const environment = input['environment'] === 'sandbox' ? 'sandbox' : 'live'
      const grant = `app-${randomOf(ALPHANUMERIC, 12)}`
      const app: PayPalApp = { grant, environment, credentials: { clientId: `A${randomOf(ALPHANUMERIC, 79)}`, clientSecret: `E${randomOf(ALPHANUMERIC, 79)}` } }
      apps.set(grant, app)
      return app
    },
    log: (input) => log.filter((entry) => input['grant'] === undefined || entry.grant === input['grant']),
    tokens: (input) => {
      const app = requireApp(input)
      return {
        access: [...accessTokens].filter(([, issued]) => issued.appId === app.grant).map(([value, issued]) => ({ value, issuedBy: 'client_credentials', expired: issued.expired })),
        refresh: [],
      }
    },
    expire: (input) => {
      const app = requireApp(input)
      for (const issued of accessTokens.values()) if (issued.appId === app.grant) issued.expired = true
      return { ok: true }
    },
  }

  return {
    key: 'paypal',
    hosts: [HOSTS.live, HOSTS.sandbox],
    bindings: {},
    async handle(request) {
      if (request.method === 'POST' && request.url.pathname === '/v1/oauth2/token') return token(request)
      return api(request)
    },
    async control(action, input) {
      const control = controls[action]
      if (control === undefined) throw new UnknownControlAction(`paypal has no control action ${action}`)
      return control(input)
    },
  }
}
