/**
 * The reusable OAuth2 provider every compat emulator is built from, so a provider file holds
 * only its quirks (URLs, client authentication method, response shapes, API routes):
 *
 * - authorize (RFC 6749 §4.1.1): the user approves at once; 302 to the exact registered
 *   redirect_uri with `code` and `state` (plus the provider's own callback parameters). An
 *   unknown client_id or unregistered redirect_uri gets a 400 page, never a redirect (§4.1.2.1).
 *   A `code_challenge` must use S256 (RFC 7636); the response carries the header
 *   `X-Emulator-Grant` (the grant id tests filter logs by; the Worker never sees this response).
 * - token (§4.1.3, §6): authorization_code and refresh_token grants; single-use codes (a reused
 *   code revokes the grant, §4.1.2), byte-identical redirect_uri, PKCE S256 verifier check when a
 *   challenge was sent, the provider's client authentication method only (§2.3.1), and path
 *   parameters (tenant, shop) equal to those the code was issued under. Refresh tokens rotate
 *   (a retired one revokes the grant), are reusable, or are never issued.
 * - API: each route reads the access token where the provider documents it and accepts only a
 *   currently valid one (not expired, not revoked); otherwise the provider's own rejection.
 * - Every request is logged with the grant it belongs to; control actions `log`, `grant`,
 *   `tokens`, `expire` and `revoke` (body `{grant}`) plus the provider's own.
 */
import { json, loggedRequest, UNROUTED_HEADER, UnknownControlAction, type EmulatedRequest, type LoggedRequest, type ProviderEmulator } from './emulator.ts'
import { urlPattern } from './url-pattern.ts'
import { connectorParameterVariable } from '../../../src/registry/connector-parameters.ts'

/** Latchkey's redirect URI in the compat project (PUBLIC_BASE_URL of vitest.config.ts): the one every emulated app registered. */
export const REGISTERED_REDIRECT_URI = 'https://latchkey.test/oauth/callback'

/** One authorization the user gave; codes and tokens point to it. */
export interface Grant {
  id: string
  clientId: string
  redirectUri: string
  /** The `scope` parameter of the authorize request as sent ('' when absent). */
  scope: string
  /** Every authorize query parameter as sent. */
  authorizeQuery: Record<string, string>
  /** Named parts of the authorize URL pattern (tenant, shop...). */
  params: Record<string, string>
  codeChallenge: string | null
  revoked: boolean
  /** Provider data attached by `onGrant` (team id, cloud id, tenant id...). */
  data: Record<string, unknown>
}

/** What a token response is built from. */
export interface IssuedTokens {
  grant: Grant
  grantType: 'authorization_code' | 'refresh_token'
  accessToken: string
  /** A new refresh token, or the presented one when refresh tokens are reusable; null when none. */
  refreshToken: string | null
  /** Seconds, or null when the provider's tokens do not expire. */
  expiresIn: number | null
}

/** An error of the token endpoint, for the provider's `tokenError`. */
export interface TokenError {
  status: 400 | 401
  error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type'
  description: string
}

/** Why an API request's token was refused. */
export type TokenRejection = 'missing' | 'unknown' | 'expired'

/** One API route: `handle` runs only with a currently valid access token. */
export interface ApiRoute {
  method: string
  /** URL pattern, e.g. `https://api.atlassian.com/ex/jira/{cloudId}/rest/api/3/myself`. */
  url: string
  /** Where this route reads the token, when not where `accessTokenOf` looks (e.g. a path segment). */
  tokenFrom?: (request: EmulatedRequest, params: Record<string, string>) => string | null
  handle(context: ApiContext): Response | Promise<Response>
}

/** What an API route handler gets. */
export interface ApiContext {
  request: EmulatedRequest
  params: Record<string, string>
  grant: Grant
  accessToken: string
}

/** A provider's quirks; everything else is standard OAuth2. */
export interface OAuth2ProviderDefinition {
  /** The connector key (also the control path). */
  key: string
  hosts: string[]
  /** The app registered at the provider; becomes `<KEY>__CLIENT_ID` and `<KEY>__CLIENT_SECRET`. */
  client: { id: string; secret: string }
  /** Other connector parameters as Worker bindings, by parameter name (values as the Worker reads them). */
  parameters?: Record<string, string>
  authorizeUrl: string
  tokenUrl: string
  /** The one method the provider documents (RFC 7591 names); `basic_or_post` accepts either, or both when they agree. */
  clientAuthentication: 'client_secret_basic' | 'client_secret_post' | 'basic_or_post'
  /** Token request bodies accepted: form-encoded always; JSON too where the provider documents it. */
  acceptsJsonTokenRequest?: boolean
  /** PKCE: checked whenever a challenge was sent; `required` also refuses an authorize request without one. */
  pkce?: 'when_sent' | 'required'
  /** Access token lifetime in seconds; null: tokens do not expire. */
  accessTokenLifetime: number | null
  refreshTokens: 'rotating' | 'reusable' | 'none'
  /** Provider checks of the authorize request: a description refuses it with `invalid_request`. */
  checkAuthorize?(query: URLSearchParams, params: Record<string, string>): string | null
  /** Attaches provider data to a new grant. */
  onGrant?(grant: Grant): void
  /** Callback parameters the provider adds besides code and state. */
  callbackParameters?(grant: Grant): Record<string, string>
  newAccessToken?(grant: Grant): string
  newRefreshToken?(grant: Grant): string
  /** The token response body, shaped as the provider documents it. */
  tokenResponse(issued: IssuedTokens): Record<string, unknown>
  /** The provider's token error response; default RFC 6749 §5.2 JSON. */
  tokenError?(error: TokenError): Response
  /** Reads the access token from an API request, from the header the provider documents. */
  accessTokenOf(request: EmulatedRequest): string | null
  /** The provider's answer to a missing, unknown, expired or revoked access token. */
  rejectToken(reason: TokenRejection, request: EmulatedRequest): Response
  api: ApiRoute[]
  /** Provider control actions (input: the control call's JSON body). */
  control?: Record<string, (input: Record<string, unknown>, state: ProviderState) => unknown>
}

/** Live state of one emulator, for provider control actions. */
export interface ProviderState {
  grants: Map<string, Grant>
  accessTokens: Map<string, AccessTokenRecord>
  refreshTokens: Map<string, RefreshTokenRecord>
}

interface AccessTokenRecord {
  grantId: string
  issuedBy: IssuedTokens['grantType']
  expiresAt: number | null
  expired: boolean
}

interface RefreshTokenRecord {
  grantId: string
  retired: boolean
}

interface CodeRecord {
  grantId: string
  used: boolean
}

/** Builds the emulator of one OAuth2 provider from its definition. */
export function oauth2Provider(definition: OAuth2ProviderDefinition): ProviderEmulator {
  const authorizeRoute = urlPattern(definition.authorizeUrl)
  const tokenRoute = urlPattern(definition.tokenUrl)
  const apiRoutes = definition.api.map((route) => ({ route, pattern: urlPattern(route.url) }))
  const state: ProviderState = { grants: new Map(), accessTokens: new Map(), refreshTokens: new Map() }
  const codes = new Map<string, CodeRecord>()
  const log: LoggedRequest[] = []
  const tokenError = definition.tokenError ?? ((error: TokenError) => json(error.status, { error: error.error, error_description: error.description }))

  const bindings: Record<string, string> = {
    [connectorParameterVariable(definition.key, 'clientId')]: definition.client.id,
    [connectorParameterVariable(definition.key, 'clientSecret')]: definition.client.secret,
  }
  for (const [name, value] of Object.entries(definition.parameters ?? {})) bindings[connectorParameterVariable(definition.key, name)] = value

  function record(request: EmulatedRequest, endpoint: LoggedRequest['endpoint'], grant: string | null, form: Record<string, string> | null): void {
    log.push(loggedRequest(request, endpoint, grant, form))
  }

  function authorize(request: EmulatedRequest, params: Record<string, string>): Response {
    const query = request.url.searchParams
    const redirectUri = query.get('redirect_uri')
    if (query.get('client_id') !== definition.client.id || redirectUri !== REGISTERED_REDIRECT_URI) {
      record(request, 'authorize', null, null)
      return new Response('Unknown client or unregistered redirect_uri.', { status: 400 })
    }
    const callback = new URL(redirectUri)
    const stateParameter = query.get('state')
    if (stateParameter !== null) callback.searchParams.set('state', stateParameter)
    const challenge = query.get('code_challenge')
    const problem =
      query.get('response_type') !== 'code'
        ? 'response_type must be code'
        : challenge !== null && query.get('code_challenge_method') !== 'S256'
          ? 'code_challenge_method must be S256'
          : challenge === null && definition.pkce === 'required'
            ? 'code_challenge is required'
            : (definition.checkAuthorize?.(query, params) ?? null)
    if (problem !== null) {
      record(request, 'authorize', null, null)
      callback.searchParams.set('error', 'invalid_request')
      callback.searchParams.set('error_description', problem)
      return new Response(null, { status: 302, headers: { Location: callback.toString() } })
    }
    const grant: Grant = {
      id: `grant-${randomToken(12)}`,
      clientId: definition.client.id,
      redirectUri,
      scope: query.get('scope') ?? '',
      authorizeQuery: Object.fromEntries(query),
      params,
      codeChallenge: challenge,
      revoked: false,
      data: {},
    }
    definition.onGrant?.(grant)
    state.grants.set(grant.id, grant)
    record(request, 'authorize', grant.id, null)
    const code = randomToken(24)
    codes.set(code, { grantId: grant.id, used: false })
    callback.searchParams.set('code', code)
    for (const [name, value] of Object.entries(definition.callbackParameters?.(grant) ?? {})) callback.searchParams.set(name, value)
    return new Response(null, { status: 302, headers: { Location: callback.toString(), 'X-Emulator-Grant': grant.id } })
  }

  async function token(request: EmulatedRequest, params: Record<string, string>): Promise<Response> {
    const form = readTokenRequest(request, definition.acceptsJsonTokenRequest === true)
    const fail = (status: TokenError['status'], error: TokenError['error'], description: string, grant: string | null = null): Response => {
      record(request, 'token', grant, form)
      return tokenError({ status, error, description })
    }
    if (request.method !== 'POST' || form === null) return fail(400, 'invalid_request', 'POST a form-encoded body')
    const clientProblem = authenticateClient(request.headers.get('Authorization'), form, definition)
    if (clientProblem !== null) return fail(401, 'invalid_client', clientProblem)

    if (form['grant_type'] === 'authorization_code') {
      const code = codes.get(form['code'] ?? '')
      const grant = code === undefined ? undefined : state.grants.get(code.grantId)
      if (code === undefined || grant === undefined) return fail(400, 'invalid_grant', 'unknown code')
      if (code.used) {
        grant.revoked = true
        return fail(400, 'invalid_grant', 'code already used: the grant is revoked', grant.id)
      }
      code.used = true
      if (form['redirect_uri'] !== grant.redirectUri) return fail(400, 'invalid_grant', 'redirect_uri differs from the authorize request', grant.id)
      if (grant.codeChallenge !== null && (await s256(form['code_verifier'] ?? '')) !== grant.codeChallenge) {
        return fail(400, 'invalid_grant', 'code_verifier does not match the code_challenge', grant.id)
      }
      if (!sameParams(grant.params, params)) return fail(400, 'invalid_grant', 'code issued under another tenant or shop', grant.id)
      record(request, 'token', grant.id, form)
      return answerTokens(grant, 'authorization_code', null)
    }

    if (form['grant_type'] === 'refresh_token') {
      if (definition.refreshTokens === 'none') return fail(400, 'unsupported_grant_type', 'this provider issues no refresh tokens')
      const presented = form['refresh_token'] ?? ''
      const refresh = state.refreshTokens.get(presented)
      const grant = refresh === undefined ? undefined : state.grants.get(refresh.grantId)
      if (refresh === undefined || grant === undefined || grant.revoked) return fail(400, 'invalid_grant', 'unknown or revoked refresh token', grant?.id ?? null)
      if (refresh.retired) {
        grant.revoked = true
        return fail(400, 'invalid_grant', 'refresh token already used: the grant is revoked', grant.id)
      }
      if (!sameParams(grant.params, params)) return fail(400, 'invalid_grant', 'refresh token issued under another tenant or shop', grant.id)
      record(request, 'token', grant.id, form)
      if (definition.refreshTokens === 'rotating') refresh.retired = true
      return answerTokens(grant, 'refresh_token', definition.refreshTokens === 'reusable' ? presented : null)
    }
    return fail(400, 'unsupported_grant_type', `grant_type ${form['grant_type'] ?? '(none)'} is not supported`)
  }

  function answerTokens(grant: Grant, grantType: IssuedTokens['grantType'], keptRefreshToken: string | null): Response {
    const accessToken = definition.newAccessToken?.(grant) ?? `at-${randomToken(24)}`
    const lifetime = definition.accessTokenLifetime
    state.accessTokens.set(accessToken, { grantId: grant.id, issuedBy: grantType, expiresAt: lifetime === null ? null : Date.now() + lifetime * 1000, expired: false })
    let refreshToken = keptRefreshToken
    if (definition.refreshTokens !== 'none' && refreshToken === null) {
      refreshToken = definition.newRefreshToken?.(grant) ?? `rt-${randomToken(24)}`
      state.refreshTokens.set(refreshToken, { grantId: grant.id, retired: false })
    }
    const body = definition.tokenResponse({ grant, grantType, accessToken, refreshToken, expiresIn: lifetime })
    return json(200, body, { 'Cache-Control': 'no-store', Pragma: 'no-cache' })
  }

  async function api(request: EmulatedRequest): Promise<Response | null> {
    for (const { route, pattern } of apiRoutes) {
      const params = pattern.match(request.url)
      if (params === null || route.method !== request.method) continue
      const accessToken = route.tokenFrom ? route.tokenFrom(request, params) : definition.accessTokenOf(request)
      const issued = accessToken === null ? undefined : state.accessTokens.get(accessToken)
      const grant = issued === undefined ? undefined : state.grants.get(issued.grantId)
      record(request, 'api', grant?.id ?? null, null)
      if (accessToken === null) return definition.rejectToken('missing', request)
      if (issued === undefined || grant === undefined || grant.revoked) return definition.rejectToken('unknown', request)
      if (issued.expired || (issued.expiresAt !== null && Date.now() >= issued.expiresAt)) return definition.rejectToken('expired', request)
      return route.handle({ request, params, grant, accessToken })
    }
    return null
  }

  const controls: Record<string, (input: Record<string, unknown>) => unknown> = {
    log: (input) => log.filter((entry) => input['grant'] === undefined || entry.grant === input['grant']),
    grant: (input) => {
      const { id, scope, params, data, revoked } = requireGrant(state, input)
      return { id, scope, params, data, revoked }
    },
    tokens: (input) => {
      const grantId = requireGrant(state, input).id
      return {
        access: [...state.accessTokens]
          .filter(([, issued]) => issued.grantId === grantId)
          .map(([value, issued]) => ({ value, issuedBy: issued.issuedBy, expired: issued.expired })),
        refresh: [...state.refreshTokens].filter(([, issued]) => issued.grantId === grantId).map(([value, issued]) => ({ value, retired: issued.retired })),
      }
    },
    expire: (input) => {
      const grantId = requireGrant(state, input).id
      for (const issued of state.accessTokens.values()) if (issued.grantId === grantId) issued.expired = true
      return { ok: true }
    },
    revoke: (input) => {
      requireGrant(state, input).revoked = true
      return { ok: true }
    },
  }

  return {
    key: definition.key,
    hosts: definition.hosts,
    bindings,
    async handle(request) {
      const authorizeParams = authorizeRoute.match(request.url)
      if (authorizeParams !== null && request.method === 'GET') return authorize(request, authorizeParams)
      const tokenParams = tokenRoute.match(request.url)
      if (tokenParams !== null) return token(request, tokenParams)
      const answer = await api(request)
      if (answer !== null) return answer
      record(request, 'unrouted', null, null)
      return json(404, { error: 'not_found', message: `the ${definition.key} emulator has no route for ${request.method} ${request.url.pathname}` }, { [UNROUTED_HEADER]: 'true' })
    },
    async control(action, input) {
      const own = definition.control?.[action]
      if (own !== undefined) return own(input, state)
      const generic = controls[action]
      if (generic === undefined) throw new UnknownControlAction(`${definition.key} has no control action ${action}`)
      return generic(input)
    },
  }
}

/** The grant named by a control call's `grant`; throws when there is none. */
export function requireGrant(state: ProviderState, input: Record<string, unknown>): Grant {
  const grant = state.grants.get(String(input['grant']))
  if (grant === undefined) throw new Error(`no grant ${String(input['grant'])}`)
  return grant
}

/** The `Bearer` token of the Authorization header (RFC 6750 §2.1), or null. */
export function bearerToken(request: EmulatedRequest): string | null {
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(request.headers.get('Authorization') ?? '')
  return match?.[1] ?? null
}

function readTokenRequest(request: EmulatedRequest, acceptsJson: boolean): Record<string, string> | null {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase()
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(request.body))
  if (type !== 'application/json' || !acceptsJson) return null
  try {
    const parsed: unknown = JSON.parse(request.body)
    if (typeof parsed !== 'object' || parsed === null) return null
    return Object.fromEntries(Object.entries(parsed).map(([name, value]) => [name, String(value)]))
  } catch {
    return null
  }
}

/** RFC 6749 §2.3.1 with the provider's one documented method. Returns what is wrong, or null. */
function authenticateClient(authorization: string | null, form: Record<string, string>, definition: OAuth2ProviderDefinition): string | null {
  const { client, clientAuthentication } = definition
  const basic = parseBasic(authorization)
  const inBody = form['client_secret'] !== undefined
  const basicOk = basic !== null && basic.id === client.id && basic.secret === client.secret
  const bodyOk = form['client_id'] === client.id && form['client_secret'] === client.secret
  switch (clientAuthentication) {
    case 'client_secret_basic':
      if (inBody) return 'client_secret sent in the body: this provider takes HTTP Basic only'
      return basicOk ? null : 'HTTP Basic client credentials missing or wrong'
    case 'client_secret_post':
      if (authorization !== null) return 'Authorization header sent: this provider takes client_id and client_secret in the body only'
      return bodyOk ? null : 'client_id/client_secret in the body missing or wrong'
    case 'basic_or_post':
      if (basic === null && !inBody) return 'no client authentication'
      return (basic === null || basicOk) && (!inBody || bodyOk) ? null : 'client credentials wrong'
  }
}

function parseBasic(header: string | null): { id: string; secret: string } | null {
  if (header === null || !header.startsWith('Basic ')) return null
  const decoded = atob(header.slice('Basic '.length))
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  const formDecode = (value: string): string => decodeURIComponent(value.replace(/\+/g, ' '))
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) }
}

function sameParams(issued: Record<string, string>, presented: Record<string, string>): boolean {
  return Object.entries(presented).every(([name, value]) => issued[name] === undefined || issued[name] === value)
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  return base64Url(new Uint8Array(digest))
}

/** A random base64url string of `bytes` random bytes. */
export function randomToken(bytes: number): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)))
}

function base64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
