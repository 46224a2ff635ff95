/**
 * Test upstream: a real HTTP server on 127.0.0.1 playing a fake OAuth2 provider (authorize,
 * token, protected API, OIDC discovery + JWKS). A vitest globalSetup of the workerd project:
 * it `provide`s its origin as `upstreamOrigin`; vitest.config.ts passes it to the Worker as
 * the binding `UPSTREAM_ORIGIN` (and as the fixture connectors' `upstreamOrigin` parameter).
 *
 * Everything lives under `/s/<scenario>/` (scenario: 1-100 chars of [A-Za-z0-9_-]); each
 * scenario has its own configuration, codes, tokens, script queues and request log, so test
 * files running in parallel never share state. Use a fresh scenario id per test.
 *
 * Provider endpoints (paths relative to `/s/<scenario>`; all of them are logged):
 *   GET  /authorize     302 to redirect_uri?code&state (+ `iss` when config.sendIss, + config.callbackParams),
 *                       or ?error=config.authorizeError&state. Refuses response_type other than
 *                       `code`, code_challenge_method other than S256, and (config.requirePkce)
 *                       a missing code_challenge. The code remembers client_id, redirect_uri,
 *                       code_challenge and scope.
 *   POST /token         grant_type=authorization_code: single-use code (reuse: invalid_grant),
 *                       byte-identical redirect_uri (S5), PKCE S256 check of code_verifier (S4),
 *                       client authentication when config.client is set (S9; 401 invalid_client).
 *                       grant_type=refresh_token: with config.rotateRefreshTokens (default true)
 *                       answers a new refresh_token and retires the old one; presenting a retired
 *                       one answers invalid_grant and revokes the whole grant (all its tokens),
 *                       like a real server (within config.rotationGraceMs it is accepted once
 *                       more instead). Without rotation the response has no refresh_token.
 *                       config.refreshAnswerDelayMs holds a refresh answer back after rotating.
 *                       Answers access_token, token_type "Bearer", expires_in (config.expiresIn,
 *                       default 3600; sent as given, so a string stays a string; null omits it),
 *                       refresh_token (unless config.issueRefreshToken is false), scope, and an
 *                       RS256 id_token when the scope includes `openid` (config.idToken forges it).
 *                       config.tokenFormat 'form' answers application/x-www-form-urlencoded.
 *                       grant_type=client_credentials (needs config.client): a new grant per
 *                       request, without refresh_token.
 *   ANY  /api/<any>     200 {ok, method, path, sub} for `Authorization: Bearer <valid access token>`
 *                       (plus the fields of config.apiUser when set: the user an API's /me names),
 *                       401 {error:"invalid_token"} otherwise (unknown, expired, revoked).
 *   GET  /.well-known/openid-configuration, GET /jwks   discovery for the issuer
 *                       `${origin}/s/<scenario>`; with config.advertiseIss the document says
 *                       `authorization_response_iss_parameter_supported: true` (RFC 9207).
 *   POST /webhook       204: a sink (e.g. for connection events); read what arrived from the log.
 *
 * Control API (JSON in and out; control calls are not logged):
 *   POST /_control/config   body: Partial<ScenarioConfig>, merged into the scenario's config.
 *   POST /_control/script   body: {path: '/token', responses: ScriptedResponse[]}: appended to that
 *                           path's FIFO queue; a queued response answers the next request to the
 *                           path instead of the default behaviour. ScriptedResponse = {status?
 *                           (200), headers?, body? (string as is, anything else as JSON),
 *                           delayMs?, hang? (never answer: provokes client timeouts), stallBody?
 *                           (send half the body, then nothing: a slow-loris body)}.
 *   GET  /_control/log      {requests: LoggedRequest[], counts: {'/token': 2, ...}}; LoggedRequest =
 *                           {method, path, query, headers (lower-case names), body (text), at}.
 *   POST /_control/grant    body: {scope?, clientId?}: issues tokens without the browser dance
 *                           (same shape as a token response) so a test can seed a connection.
 *   POST /_control/expire   every access token issued so far stops being valid (API answers 401).
 *   POST /_control/revoke   every grant issued so far is revoked, as when the user withdraws access
 *                           at the provider: each refresh answers invalid_grant and the API 401,
 *                           however often it is asked (unlike a scripted answer, which is used once).
 *   POST /_control/code     body: {redirectUri, clientId?, codeChallenge?, scope?}: {code}, a code
 *                           as /authorize would issue it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the test upstream. */
    upstreamOrigin: string
  }
}

/** Per-scenario behaviour of the fake provider (all optional, merged by /_control/config). */
export interface ScenarioConfig {
  /** Sent as given in token responses; null omits it. Access tokens expire after it (seconds). */
  expiresIn: number | string | null
  rotateRefreshTokens: boolean
  issueRefreshToken: boolean
  tokenFormat: 'json' | 'form'
  /** When set, the token endpoint authenticates the client; `auth` picks the accepted method. */
  client: { id: string; secret: string; auth: 'basic' | 'post' | 'any' } | null
  requirePkce: boolean
  /** Add `iss` (the scenario's issuer) to the authorize redirect (RFC 9207). */
  sendIss: boolean
  /** Advertise `authorization_response_iss_parameter_supported: true` in the discovery document. */
  advertiseIss: boolean
  /** Make /authorize answer with this `error` instead of a code. */
  authorizeError: string | null
  /** Extra query parameters on the authorize redirect (e.g. realmId). */
  callbackParams: Record<string, string>
  /** Extra fields in every token response. */
  tokenFields: Record<string, unknown>
  /** How to forge the id_token (`other_subject`: validly signed, for another user than `user-1`). */
  idToken: 'valid' | 'wrong_audience' | 'wrong_issuer' | 'expired' | 'foreign_key' | 'alg_none' | 'other_subject'
  /**
   * Answer a successful refresh grant only after this long, once its tokens are issued and the
   * presented refresh token retired: the client can die while the provider has rotated (S19).
   */
  refreshAnswerDelayMs: number
  /**
   * A retired refresh token presented again within this many ms of its rotation gets new tokens
   * instead of revoking the grant (the grace period some rotating providers give); 0: none.
   */
  rotationGraceMs: number
  /** Fields added to every successful /api answer (e.g. `{login, id}`: who the token acts for); null adds none. */
  apiUser: Record<string, unknown> | null
}

/** A response queued by /_control/script. */
export interface ScriptedResponse {
  status?: number
  headers?: Record<string, string>
  body?: unknown
  delayMs?: number
  hang?: boolean
  /** Send the status, the headers and the first half of the body, then nothing more (a slow-loris body). */
  stallBody?: boolean
}

/** One request as the provider saw it. */
export interface LoggedRequest {
  method: string
  path: string
  query: string
  headers: Record<string, string>
  body: string
  at: number
}

const DEFAULT_CONFIG: ScenarioConfig = {
  expiresIn: 3600,
  rotateRefreshTokens: true,
  issueRefreshToken: true,
  tokenFormat: 'json',
  client: null,
  requirePkce: false,
  sendIss: false,
  advertiseIss: false,
  authorizeError: null,
  callbackParams: {},
  tokenFields: {},
  idToken: 'valid',
  refreshAnswerDelayMs: 0,
  rotationGraceMs: 0,
  apiUser: null,
}

interface IssuedCode {
  clientId: string
  redirectUri: string
  codeChallenge: string | null
  scope: string
  used: boolean
  grantId: string
}

interface Grant {
  clientId: string
  scope: string
  revoked: boolean
}

interface Scenario {
  config: ScenarioConfig
  log: LoggedRequest[]
  scripts: Map<string, ScriptedResponse[]>
  codes: Map<string, IssuedCode>
  grants: Map<string, Grant>
  accessTokens: Map<string, { grantId: string; expiresAt: number; serial: number }>
  /** `retiredAt`: when rotation replaced it (ms), `null` while it is current. */
  refreshTokens: Map<string, { grantId: string; retiredAt: number | null }>
  /** Serial number of the last access token issued. */
  lastSerial: number
  /** Access tokens with a serial up to this one are invalid (/_control/expire). */
  expiredThrough: number
}

interface SigningKeys {
  privateKey: CryptoKey
  publicJwk: JWK
  foreignKey: CryptoKey
}

const SCENARIO_PATH = /^\/s\/([A-Za-z0-9_-]{1,100})(\/.*)$/

/** Starts the upstream on 127.0.0.1 and provides its origin; returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const keys = await createSigningKeys()
  const scenarios = new Map<string, Scenario>()
  const hanging = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    handle(req, res, { scenarios, keys, hanging, origin: originOf(server.address()) }).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: 'upstream_test_server_error', message: String(error) })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  project.provide('upstreamOrigin', originOf(server.address()))
  return async () => {
    for (const res of hanging) res.destroy()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

function originOf(address: string | AddressInfo | null): string {
  if (address === null || typeof address === 'string') throw new Error('upstream server is not listening on TCP')
  return `http://127.0.0.1:${address.port}`
}

interface ServerContext {
  scenarios: Map<string, Scenario>
  keys: SigningKeys
  hanging: Set<ServerResponse>
  origin: string
}

async function handle(req: IncomingMessage, res: ServerResponse, context: ServerContext): Promise<void> {
  const url = new URL(req.url ?? '/', context.origin)
  const match = SCENARIO_PATH.exec(url.pathname)
  if (!match) return send(res, 404, { error: 'not_found', message: 'paths are /s/<scenario>/...' })
  const [, scenarioId = '', path = '/'] = match
  const scenario = scenarioFor(context.scenarios, scenarioId)
  const body = await readBody(req)

  if (path.startsWith('/_control/')) return control(req.method ?? 'GET', path, body, res, scenario, context, scenarioId)

  scenario.log.push({ method: req.method ?? 'GET', path, query: url.search, headers: lowerCaseHeaders(req), body, at: Date.now() })
  const scripted = scenario.scripts.get(path)?.shift()
  if (scripted) return answerScripted(res, scripted, context.hanging)

  const issuer = `${context.origin}/s/${scenarioId}`
  if (path === '/authorize' && req.method === 'GET') return authorize(url.searchParams, res, scenario, issuer)
  if (path === '/token' && req.method === 'POST') return token(req, body, res, scenario, issuer, context.keys)
  if (path.startsWith('/api/')) return api(req, path, res, scenario)
  if (path === '/.well-known/openid-configuration') {
    return send(res, 200, {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      id_token_signing_alg_values_supported: ['RS256'],
      ...(scenario.config.advertiseIss ? { authorization_response_iss_parameter_supported: true } : {}),
    })
  }
  if (path === '/jwks') return send(res, 200, { keys: [context.keys.publicJwk] })
  if (path === '/webhook' && req.method === 'POST') {
    res.writeHead(204)
    res.end()
    return
  }
  return send(res, 404, { error: 'not_found' })
}

function scenarioFor(scenarios: Map<string, Scenario>, id: string): Scenario {
  let scenario = scenarios.get(id)
  if (!scenario) {
    scenario = {
      config: structuredClone(DEFAULT_CONFIG),
      log: [],
      scripts: new Map(),
      codes: new Map(),
      grants: new Map(),
      accessTokens: new Map(),
      refreshTokens: new Map(),
      lastSerial: 0,
      expiredThrough: 0,
    }
    scenarios.set(id, scenario)
  }
  return scenario
}

async function control(method: string, path: string, body: string, res: ServerResponse, scenario: Scenario, context: ServerContext, scenarioId: string): Promise<void> {
  const input = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>)
  if (path === '/_control/config' && method === 'POST') {
    scenario.config = { ...scenario.config, ...(input as Partial<ScenarioConfig>) }
    return send(res, 200, scenario.config)
  }
  if (path === '/_control/script' && method === 'POST') {
    const target = String(input['path'])
    const queue = scenario.scripts.get(target) ?? []
    queue.push(...(input['responses'] as ScriptedResponse[]))
    scenario.scripts.set(target, queue)
    return send(res, 200, { queued: queue.length })
  }
  if (path === '/_control/log' && method === 'GET') {
    const counts: Record<string, number> = {}
    for (const entry of scenario.log) counts[entry.path] = (counts[entry.path] ?? 0) + 1
    return send(res, 200, { requests: scenario.log, counts })
  }
  if (path === '/_control/grant' && method === 'POST') {
    const scope = typeof input['scope'] === 'string' ? input['scope'] : ''
    const clientId = typeof input['clientId'] === 'string' ? input['clientId'] : (scenario.config.client?.id ?? 'test-client')
    const grantId = randomToken()
    scenario.grants.set(grantId, { clientId, scope, revoked: false })
    return send(res, 200, await issueTokens(scenario, grantId, true, `${context.origin}/s/${scenarioId}`, context.keys))
  }
  if (path === '/_control/expire' && method === 'POST') {
    scenario.expiredThrough = scenario.lastSerial
    return send(res, 200, { ok: true })
  }
  if (path === '/_control/revoke' && method === 'POST') {
    for (const grantId of scenario.grants.keys()) revokeGrant(scenario, grantId)
    return send(res, 200, { revoked: scenario.grants.size })
  }
  if (path === '/_control/code' && method === 'POST') {
    const code = issueCode(scenario, {
      clientId: typeof input['clientId'] === 'string' ? input['clientId'] : (scenario.config.client?.id ?? 'test-client'),
      redirectUri: String(input['redirectUri']),
      codeChallenge: typeof input['codeChallenge'] === 'string' ? input['codeChallenge'] : null,
      scope: typeof input['scope'] === 'string' ? input['scope'] : '',
    })
    return send(res, 200, { code })
  }
  return send(res, 404, { error: 'unknown_control_call', path })
}

function authorize(query: URLSearchParams, res: ServerResponse, scenario: Scenario, issuer: string): void {
  const redirectUri = query.get('redirect_uri')
  if (redirectUri === null) return send(res, 400, { error: 'invalid_request', error_description: 'redirect_uri missing' })
  const callback = new URL(redirectUri)
  const state = query.get('state')
  const fail = (error: string): void => {
    callback.searchParams.set('error', error)
    if (state !== null) callback.searchParams.set('state', state)
    redirect(res, callback.toString())
  }
  if (scenario.config.authorizeError !== null) return fail(scenario.config.authorizeError)
  if (query.get('response_type') !== 'code') return fail('unsupported_response_type')
  const challenge = query.get('code_challenge')
  const method = query.get('code_challenge_method')
  if (challenge !== null && method !== 'S256') return fail('invalid_request')
  if (challenge === null && scenario.config.requirePkce) return fail('invalid_request')
  const client = scenario.config.client
  const clientId = query.get('client_id') ?? ''
  if (client !== null && clientId !== client.id) return fail('unauthorized_client')

  const code = issueCode(scenario, { clientId, redirectUri, codeChallenge: challenge, scope: query.get('scope') ?? '' })
  callback.searchParams.set('code', code)
  if (state !== null) callback.searchParams.set('state', state)
  if (scenario.config.sendIss) callback.searchParams.set('iss', issuer)
  for (const [name, value] of Object.entries(scenario.config.callbackParams)) callback.searchParams.set(name, value)
  redirect(res, callback.toString())
}

function issueCode(scenario: Scenario, code: Omit<IssuedCode, 'used' | 'grantId'>): string {
  const value = randomToken()
  const grantId = randomToken()
  scenario.codes.set(value, { ...code, used: false, grantId })
  return value
}

async function token(req: IncomingMessage, body: string, res: ServerResponse, scenario: Scenario, issuer: string, keys: SigningKeys): Promise<void> {
  const form = new URLSearchParams(body)
  const clientError = authenticateClient(req, form, scenario.config.client)
  if (clientError) return send(res, 401, { error: 'invalid_client', error_description: clientError })
  const grantType = form.get('grant_type')

  if (grantType === 'authorization_code') {
    const code = scenario.codes.get(form.get('code') ?? '')
    if (!code) return send(res, 400, { error: 'invalid_grant', error_description: 'unknown code' })
    if (code.used) {
      revokeGrant(scenario, code.grantId)
      return send(res, 400, { error: 'invalid_grant', error_description: 'code already used' })
    }
    code.used = true
    if (form.get('redirect_uri') !== code.redirectUri) return send(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri mismatch' })
    if (code.codeChallenge !== null && s256(form.get('code_verifier') ?? '') !== code.codeChallenge) {
      return send(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' })
    }
    scenario.grants.set(code.grantId, { clientId: code.clientId, scope: code.scope, revoked: false })
    return answerTokens(res, scenario, await issueTokens(scenario, code.grantId, true, issuer, keys))
  }

  if (grantType === 'refresh_token') {
    const presented = scenario.refreshTokens.get(form.get('refresh_token') ?? '')
    const grant = presented ? scenario.grants.get(presented.grantId) : undefined
    if (!presented || !grant || grant.revoked) return send(res, 400, { error: 'invalid_grant', error_description: 'unknown or revoked refresh token' })
    const withinGrace = presented.retiredAt !== null && Date.now() - presented.retiredAt < scenario.config.rotationGraceMs
    if (presented.retiredAt !== null && !withinGrace) {
      revokeGrant(scenario, presented.grantId)
      return send(res, 400, { error: 'invalid_grant', error_description: 'refresh token reused' })
    }
    const rotate = scenario.config.rotateRefreshTokens
    if (rotate) presented.retiredAt ??= Date.now()
    const tokens = await issueTokens(scenario, presented.grantId, rotate, issuer, keys)
    const delayMs = scenario.config.refreshAnswerDelayMs
    // unref: a held-back answer whose client died must not keep the test process alive.
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs).unref())
    return answerTokens(res, scenario, tokens)
  }

  // RFC 6749 section 4.4: a new grant per request, no refresh token (a new grant is the refresh).
  if (grantType === 'client_credentials') {
    if (scenario.config.client === null) return send(res, 401, { error: 'invalid_client', error_description: 'client credentials need a configured client' })
    const grantId = randomToken()
    scenario.grants.set(grantId, { clientId: scenario.config.client.id, scope: form.get('scope') ?? '', revoked: false })
    return answerTokens(res, scenario, await issueTokens(scenario, grantId, false, issuer, keys))
  }
  return send(res, 400, { error: 'unsupported_grant_type' })
}

function authenticateClient(req: IncomingMessage, form: URLSearchParams, client: ScenarioConfig['client']): string | null {
  if (client === null) return null
  const basic = parseBasic(req.headers.authorization)
  const bodySecret = form.get('client_secret')
  const basicOk = basic !== null && basic.id === client.id && basic.secret === client.secret
  const bodyOk = form.get('client_id') === client.id && bodySecret === client.secret
  switch (client.auth) {
    case 'basic':
      if (bodySecret !== null) return 'client_secret in the body, but this client authenticates with Basic only'
      return basicOk ? null : 'Basic credentials missing or wrong'
    case 'post':
      if (basic !== null) return 'Authorization header sent, but this client authenticates in the body only'
      return bodyOk ? null : 'client_id/client_secret missing or wrong'
    default:
      if (basic === null && bodySecret === null) return 'no client authentication'
      return (basic === null || basicOk) && (bodySecret === null || bodyOk) ? null : 'client credentials wrong'
  }
}

function parseBasic(header: string | undefined): { id: string; secret: string } | null {
  if (!header?.startsWith('Basic ')) return null
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  const formDecode = (value: string): string => decodeURIComponent(value.replace(/\+/g, ' '))
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) }
}

async function issueTokens(scenario: Scenario, grantId: string, withRefresh: boolean, issuer: string, keys: SigningKeys): Promise<Record<string, unknown>> {
  const grant = scenario.grants.get(grantId)
  const { expiresIn, issueRefreshToken, tokenFields } = scenario.config
  const accessToken = `at_${randomToken()}`
  const lifetime = expiresIn === null ? 3600 : Number(expiresIn)
  scenario.lastSerial += 1
  scenario.accessTokens.set(accessToken, { grantId, expiresAt: Date.now() + lifetime * 1000, serial: scenario.lastSerial })
  const tokens: Record<string, unknown> = { access_token: accessToken, token_type: 'Bearer' }
  if (expiresIn !== null) tokens['expires_in'] = expiresIn
  if (withRefresh && issueRefreshToken) {
    const refreshToken = `rt_${randomToken()}`
    scenario.refreshTokens.set(refreshToken, { grantId, retiredAt: null })
    tokens['refresh_token'] = refreshToken
  }
  const scope = grant?.scope ?? ''
  if (scope !== '') tokens['scope'] = scope
  if (grant && scope.split(' ').includes('openid')) tokens['id_token'] = await idToken(scenario.config.idToken, issuer, grant.clientId, keys)
  return { ...tokens, ...tokenFields }
}

async function idToken(kind: ScenarioConfig['idToken'], issuer: string, clientId: string, keys: SigningKeys): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const sub = kind === 'other_subject' ? 'user-2' : 'user-1'
  const claims = { sub, email: `${sub}@example.test` }
  if (kind === 'alg_none') {
    const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
    return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...claims, iss: issuer, aud: clientId, iat: now, exp: now + 300 })}.`
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: keys.publicJwk.kid ?? 'upstream' })
    .setIssuer(kind === 'wrong_issuer' ? 'https://other-issuer.example' : issuer)
    .setAudience(kind === 'wrong_audience' ? 'someone-else' : clientId)
    .setIssuedAt(kind === 'expired' ? now - 7200 : now)
    .setExpirationTime(kind === 'expired' ? now - 3600 : now + 300)
    .sign(kind === 'foreign_key' ? keys.foreignKey : keys.privateKey)
}

function answerTokens(res: ServerResponse, scenario: Scenario, tokens: Record<string, unknown>): void {
  if (scenario.config.tokenFormat === 'form') {
    const form = new URLSearchParams()
    for (const [name, value] of Object.entries(tokens)) form.set(name, String(value))
    res.writeHead(200, { 'Content-Type': 'application/x-www-form-urlencoded', 'Cache-Control': 'no-store' })
    res.end(form.toString())
    return
  }
  res.setHeader('Cache-Control', 'no-store')
  send(res, 200, tokens)
}

function api(req: IncomingMessage, path: string, res: ServerResponse, scenario: Scenario): void {
  const header = req.headers.authorization ?? ''
  const token = header.startsWith('Bearer ') ? scenario.accessTokens.get(header.slice(7)) : undefined
  const grant = token ? scenario.grants.get(token.grantId) : undefined
  const expired = !token || Date.now() >= token.expiresAt || token.serial <= scenario.expiredThrough
  if (!token || !grant || grant.revoked || expired) {
    res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"')
    return send(res, 401, { error: 'invalid_token' })
  }
  send(res, 200, { ok: true, method: req.method, path, sub: 'user-1', ...scenario.config.apiUser })
}

function revokeGrant(scenario: Scenario, grantId: string): void {
  const grant = scenario.grants.get(grantId)
  if (grant) grant.revoked = true
}

function answerScripted(res: ServerResponse, scripted: ScriptedResponse, hanging: Set<ServerResponse>): void {
  if (scripted.hang) {
    hanging.add(res)
    res.on('close', () => hanging.delete(res))
    return
  }
  const respond = (): void => {
    const headers = { ...scripted.headers }
    const isText = typeof scripted.body === 'string'
    if (!isText && scripted.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json'
    }
    const body = scripted.body === undefined ? '' : isText ? (scripted.body as string) : JSON.stringify(scripted.body)
    res.writeHead(scripted.status ?? 200, headers)
    if (scripted.stallBody) {
      res.write(body.slice(0, Math.floor(body.length / 2)))
      hanging.add(res)
      res.on('close', () => hanging.delete(res))
      return
    }
    res.end(body)
  }
  if (scripted.delayMs) setTimeout(respond, scripted.delayMs)
  else respond()
}

async function createSigningKeys(): Promise<SigningKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const foreign = await generateKeyPair('RS256')
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'upstream-1', alg: 'RS256', use: 'sig' }
  return { privateKey, publicJwk, foreignKey: foreign.privateKey }
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}

function randomToken(): string {
  return randomBytes(24).toString('base64url')
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location })
  res.end()
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}
