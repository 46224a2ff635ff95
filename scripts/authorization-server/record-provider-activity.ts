/**
 * Hooks into oidc-provider to fill a ServerEventLog: model events for every issued value
 * and revoked grant, and a Koa middleware that reads each token and userinfo request as the
 * server received and answered it (the server accepts Basic and body authentication
 * interchangeably, so the method actually used can only be seen in the request).
 */
import type Provider from 'oidc-provider'
import type { KoaContextWithOIDC } from 'oidc-provider'
import type { ClientAuthenticationUsed, IssuedKind, ServerEventLog } from './server-events.ts'

interface IssuedModel {
  jti: string
  accountId?: string
  grantId?: string
  clientId?: string
}

const MODEL_EVENTS: Array<[string, IssuedKind]> = [
  ['authorization_code.saved', 'AuthorizationCode'],
  ['access_token.saved', 'AccessToken'],
  ['refresh_token.saved', 'RefreshToken'],
]

/** Records into `log` everything `provider` issues, revokes and answers at /token and /me. */
export function recordProviderActivity(provider: Provider, log: ServerEventLog, routes: { token: string; userinfo: string }): void {
  for (const [eventName, kind] of MODEL_EVENTS) {
    // Opaque tokens: the value handed out is the model's jti.
    provider.on(eventName, (model: IssuedModel) => {
      log.record({
        type: 'issued',
        kind,
        accountId: model.accountId ?? '',
        grantId: model.grantId ?? '',
        clientId: model.clientId ?? '',
        value: model.jti,
        at: Date.now(),
      })
    })
  }
  // The response hides why a grant request failed ("grant request is invalid"); the server's
  // own detail ("refresh token already used", "PKCE verification failed") is kept for tests.
  const errorDetails = new WeakMap<object, string>()
  provider.on('grant.error', (ctx: object, error: { error_detail?: unknown }) => {
    if (typeof error.error_detail === 'string') errorDetails.set(ctx, error.error_detail)
  })
  provider.on('grant.revoked', (_ctx: unknown, grantId: string) => {
    log.record({ type: 'grant_revoked', grantId, accountId: log.accountOfGrant(grantId), at: Date.now() })
  })

  provider.use(async (ctx, next) => {
    await next()
    const oidcContext = ctx as unknown as KoaContextWithOIDC
    if (ctx.path === routes.token && ctx.method === 'POST') recordTokenRequest(oidcContext, log, errorDetails.get(ctx) ?? null)
    else if (ctx.path === routes.userinfo) recordResourceRequest(oidcContext, log)
  })
}

function recordTokenRequest(ctx: KoaContextWithOIDC, log: ServerEventLog, errorDetail: string | null): void {
  const params = (ctx.oidc?.body ?? {}) as Record<string, unknown>
  const grantType = stringOrNull(params['grant_type'])
  const presented = stringOrUndefined(grantType === 'refresh_token' ? params['refresh_token'] : params['code'])
  const owner = log.ownerOf(presented)
  const body = (typeof ctx.body === 'object' && ctx.body !== null ? ctx.body : {}) as Record<string, unknown>
  const error = stringOrNull(body['error'])

  let pkce: 'verified' | 'failed' | 'not_applicable' = 'not_applicable'
  if (grantType === 'authorization_code') {
    if (ctx.status === 200 && ctx.oidc.entities.AuthorizationCode?.codeChallengeMethod === 'S256') pkce = 'verified'
    else if (errorDetail === 'PKCE verification failed') pkce = 'failed'
  }

  log.record({
    type: 'token_request',
    grantType,
    clientId: ctx.oidc?.client?.clientId ?? stringOrNull(params['client_id']),
    clientAuthentication: clientAuthenticationUsed(ctx.headers.authorization, params['client_secret']),
    pkce,
    codeVerifier: stringOrNull(params['code_verifier']),
    status: ctx.status,
    error,
    errorDetail,
    accountId: owner?.accountId ?? null,
    grantId: owner?.grantId ?? null,
    at: Date.now(),
  })

  const idToken = body['id_token']
  if (ctx.status === 200 && typeof idToken === 'string' && owner) {
    log.record({ type: 'issued', kind: 'IdToken', ...owner, clientId: ctx.oidc.client?.clientId ?? '', value: idToken, at: Date.now() })
  }
}

function recordResourceRequest(ctx: KoaContextWithOIDC, log: ServerEventLog): void {
  const header = ctx.headers.authorization ?? ''
  const token = /^Bearer (.+)$/i.exec(header)?.[1]
  log.record({ type: 'resource_request', path: ctx.path, status: ctx.status, accountId: log.ownerOf(token)?.accountId ?? null, at: Date.now() })
}

/** How a token request authenticated the client: its Authorization header and its body's `client_secret`. */
export function clientAuthenticationUsed(authorization: string | undefined, bodySecret: unknown): ClientAuthenticationUsed {
  const basic = authorization !== undefined && /^basic /i.test(authorization)
  const post = typeof bodySecret === 'string'
  if (basic && post) return 'both'
  if (basic) return 'client_secret_basic'
  return post ? 'client_secret_post' : 'none'
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
