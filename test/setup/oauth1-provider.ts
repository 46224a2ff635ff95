/**
 * Test OAuth 1.0a provider (RFC 5849): a real HTTP server on 127.0.0.1 that a connection made
 * by Latchkey must satisfy. Its signature check is not Latchkey's code: every signature is
 * recomputed with `getSignature` of the `oauth-1.0a` npm package from the parameters as
 * received (query, form body, Authorization header) and compared (S23). A vitest globalSetup
 * of the workerd project: it `provide`s its origin as `oauth1ProviderOrigin`; vitest.config.ts
 * passes it to the Worker as TEST_OAUTH1__PROVIDER_ORIGIN, with the consumer credentials below.
 *
 * Everything lives under `/s/<scenario>/` (1-100 chars of [A-Za-z0-9_-]); each scenario has its
 * own configuration, tokens, nonces and request log, so parallel tests never share state.
 *
 * Provider endpoints (paths relative to `/s/<scenario>`; all of them are logged):
 *   POST /request_token  signed with the consumer credentials; requires an absolute
 *                        `oauth_callback`; answers oauth_token, oauth_token_secret and
 *                        oauth_callback_confirmed=true (config.callbackConfirmed false leaves it out).
 *   GET  /authorize      ?oauth_token: approves at once: 302 to the token's oauth_callback with
 *                        oauth_token and oauth_verifier; config.deny: 302 with `denied=<token>`
 *                        (Twitter/X style) instead. Unknown token: 400.
 *   POST /access_token   signed with the consumer credentials and the request token + secret;
 *                        checks oauth_verifier; a request token works once (then 401
 *                        oauth_problem=token_used). Answers oauth_token, oauth_token_secret,
 *                        user_id=user-1, screen_name=test-user (+ config.tokenFields).
 *   ANY  /api/<any>      signed with an access token: 200 {ok, method, path, user_id,
 *                        signatureMethod, query, form}; 401 oauth_problem=... otherwise.
 * Every signed request is checked for: a known consumer key, a supported signature method,
 * a timestamp within 5 minutes, a nonce not seen before with that timestamp and token, and the
 * signature (oauth-1.0a's getSignature). Failures answer 401 `oauth_problem=<problem>` (the
 * OAuth Problem Reporting extension), form-encoded.
 *
 * Control API (JSON; control calls are not logged):
 *   GET  /_control/log      {requests: [{method, path, query, problem, signatureMethod, at}], counts: {'/access_token': 1, ...}}
 *   POST /_control/config   body: Partial<OAuth1ScenarioConfig>, merged.
 *   POST /_control/script   body: {path, responses: [{status?, headers?, body?}]}: the next requests to
 *                           `path` get these answers (FIFO) instead of the default behaviour.
 *   POST /_control/grant    body: {}: issues an access token and secret without the browser dance.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import OAuth from 'oauth-1.0a'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the test OAuth 1.0a provider. */
    oauth1ProviderOrigin: string
  }
}

/** Consumer credentials of the test provider (and of the fixture connector test-oauth1). Test-only. */
export const OAUTH1_CONSUMER_KEY = 'test-oauth1-consumer'
/** Every character the signing key must percent-encode (RFC 5849 section 3.4.2). */
export const OAUTH1_CONSUMER_SECRET = 'co&ns+umer se:cr%t~*'

/** Per-scenario behaviour (all optional, merged by /_control/config). */
export interface OAuth1ScenarioConfig {
  /** /authorize refuses: redirects with `denied=<request token>`. */
  deny: boolean
  /** Include oauth_callback_confirmed=true in the request-token answer. */
  callbackConfirmed: boolean
  /** Extra fields of the access-token answer. */
  tokenFields: Record<string, string>
}

/** One request as the provider saw it: no token, secret or signature is kept. */
export interface OAuth1LoggedRequest {
  method: string
  path: string
  query: string
  /** Why the request was refused (an oauth_problem), or null. */
  problem: string | null
  signatureMethod: string | null
  at: number
}

interface ScriptedAnswer {
  status?: number
  headers?: Record<string, string>
  body?: string
}

interface RequestToken {
  secret: string
  callback: string
  verifier: string | null
  used: boolean
}

interface Scenario {
  config: OAuth1ScenarioConfig
  log: OAuth1LoggedRequest[]
  scripts: Map<string, ScriptedAnswer[]>
  requestTokens: Map<string, RequestToken>
  accessTokens: Map<string, string>
  nonces: Set<string>
}

const DEFAULT_CONFIG: OAuth1ScenarioConfig = { deny: false, callbackConfirmed: true, tokenFields: {} }
const SCENARIO_PATH = /^\/s\/([A-Za-z0-9_-]{1,100})(\/.*)?$/
const SIGNATURE_METHODS = new Set(['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT'])
const TIMESTAMP_WINDOW_S = 300

/** Starts the provider on 127.0.0.1 and provides its origin; returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const scenarios = new Map<string, Scenario>()
  let origin = ''
  const server = createServer((req, res) => {
    handle(req, res, scenarios, origin).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'oauth1_test_provider_error', message: String(error) })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = originOf(server.address())
  project.provide('oauth1ProviderOrigin', origin)
  return async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** The parameters of an `Authorization: OAuth ...` header (section 3.5.1), decoded; null when it is not one. `realm` is dropped. */
export function parseOAuthHeader(header: string | undefined): Record<string, string> | null {
  if (header === undefined || !/^OAuth\s/i.test(header)) return null
  const parameters: Record<string, string> = {}
  for (const part of header.replace(/^OAuth\s+/i, '').split(',')) {
    const match = /^\s*([^=\s]+)="([^"]*)"\s*$/.exec(part)
    if (!match) return null
    const [, rawName = '', rawValue = ''] = match
    const name = decodeURIComponent(rawName)
    if (Object.hasOwn(parameters, name)) return null
    if (name !== 'realm') parameters[name] = decodeURIComponent(rawValue)
  }
  return parameters
}

/** What a provider knows of one received request, for the independent signature check. */
export interface ReceivedRequest {
  method: string
  /** Scheme, host and path as the provider serves them (its base string URI), no query. */
  baseUrl: string
  /** Decoded query parameters, then decoded form-body parameters. */
  parameters: Array<[string, string]>
  /** The Authorization header's parameters (parseOAuthHeader), oauth_signature included. */
  oauth: Record<string, string>
}

/**
 * The signature the `oauth-1.0a` package computes for a received request: its `getSignature`
 * over the received parameters (arrays for repeated names, as the package expects).
 */
export function independentSignature(request: ReceivedRequest, consumer: { key: string; secret: string }, tokenSecret: string): string {
  const method = request.oauth['oauth_signature_method'] ?? ''
  const hash = method === 'HMAC-SHA256' ? 'sha256' : 'sha1'
  const oauth = new OAuth({
    consumer,
    signature_method: method,
    ...(method === 'PLAINTEXT' ? {} : { hash_function: (base: string, key: string) => createHmac(hash, key).update(base).digest('base64') }),
  })
  const data: Record<string, string | string[]> = {}
  for (const [name, value] of request.parameters) {
    const existing = data[name]
    data[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value]
  }
  const { oauth_signature: _signature, ...oauthData } = request.oauth
  // getSignature merges into its arguments: hand it copies.
  return oauth.getSignature({ url: request.baseUrl, method: request.method, data }, tokenSecret, { ...oauthData } as unknown as OAuth.Data)
}

async function handle(req: IncomingMessage, res: ServerResponse, scenarios: Map<string, Scenario>, origin: string): Promise<void> {
  const url = new URL(req.url ?? '/', origin)
  const match = SCENARIO_PATH.exec(url.pathname)
  if (!match) return sendJson(res, 404, { error: 'not_found', message: 'paths are /s/<scenario>/...' })
  const [, scenarioId = '', path = '/'] = match
  const scenario = scenarioFor(scenarios, scenarioId)
  const body = await readBody(req)
  if (path.startsWith('/_control/')) return control(req.method ?? 'GET', path, body, res, scenario)

  const method = req.method ?? 'GET'
  const entry: OAuth1LoggedRequest = { method, path, query: url.search, problem: null, signatureMethod: null, at: Date.now() }
  scenario.log.push(entry)
  const scripted = scenario.scripts.get(path)?.shift()
  if (scripted) {
    res.writeHead(scripted.status ?? 200, scripted.headers ?? {})
    res.end(scripted.body ?? '')
    return
  }
  if (path === '/authorize' && method === 'GET') return authorize(url, res, scenario)

  const isForm = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
  const formBody = isForm ? body : null
  const oauth = parseOAuthHeader(req.headers.authorization)
  entry.signatureMethod = oauth?.['oauth_signature_method'] ?? null
  const refuse = (problem: string): void => {
    entry.problem = problem
    sendForm(res, 401, { oauth_problem: problem })
  }
  if (oauth === null) return refuse('parameter_absent')
  const received: ReceivedRequest = {
    method,
    baseUrl: `${origin}${url.pathname}`,
    parameters: [...url.searchParams, ...new URLSearchParams(formBody ?? '')],
    oauth,
  }

  if (path === '/request_token' && method === 'POST') {
    const problem = checkSigned(received, scenario, null)
    if (problem !== null) return refuse(problem)
    const callback = oauth['oauth_callback']
    if (callback === undefined || !isAbsoluteUrl(callback)) return refuse('parameter_absent')
    const token = `rt_${randomToken()}`
    const secret = `rts_${randomToken()}`
    scenario.requestTokens.set(token, { secret, callback, verifier: null, used: false })
    const answer: Record<string, string> = { oauth_token: token, oauth_token_secret: secret }
    if (scenario.config.callbackConfirmed) answer['oauth_callback_confirmed'] = 'true'
    return sendForm(res, 200, answer)
  }

  if (path === '/access_token' && method === 'POST') {
    const requestToken = scenario.requestTokens.get(oauth['oauth_token'] ?? '')
    if (requestToken === undefined) return refuse('token_rejected')
    const problem = checkSigned(received, scenario, requestToken.secret)
    if (problem !== null) return refuse(problem)
    if (requestToken.used) return refuse('token_used')
    requestToken.used = true
    if (requestToken.verifier === null || oauth['oauth_verifier'] !== requestToken.verifier) return refuse('verifier_invalid')
    const accessToken = `at_${randomToken()}`
    const accessSecret = `ats_${randomToken()}`
    scenario.accessTokens.set(accessToken, accessSecret)
    return sendForm(res, 200, { oauth_token: accessToken, oauth_token_secret: accessSecret, user_id: 'user-1', screen_name: 'test-user', ...scenario.config.tokenFields })
  }

  if (path.startsWith('/api/')) {
    const secret = scenario.accessTokens.get(oauth['oauth_token'] ?? '')
    if (secret === undefined) return refuse('token_rejected')
    const problem = checkSigned(received, scenario, secret)
    if (problem !== null) return refuse(problem)
    return sendJson(res, 200, {
      ok: true,
      method,
      path,
      user_id: 'user-1',
      signatureMethod: oauth['oauth_signature_method'],
      query: Object.fromEntries(url.searchParams),
      form: Object.fromEntries(new URLSearchParams(formBody ?? '')),
    })
  }
  return sendJson(res, 404, { error: 'not_found' })
}

/** The provider's checks of a signed request; null when it is valid, else the oauth_problem. */
function checkSigned(received: ReceivedRequest, scenario: Scenario, tokenSecret: string | null): string | null {
  const { oauth } = received
  if (oauth['oauth_consumer_key'] !== OAUTH1_CONSUMER_KEY) return 'consumer_key_unknown'
  if (!SIGNATURE_METHODS.has(oauth['oauth_signature_method'] ?? '')) return 'signature_method_rejected'
  if (oauth['oauth_version'] !== undefined && oauth['oauth_version'] !== '1.0') return 'version_rejected'
  const signature = oauth['oauth_signature']
  const timestamp = oauth['oauth_timestamp']
  const nonce = oauth['oauth_nonce']
  if (signature === undefined || timestamp === undefined || nonce === undefined) return 'parameter_absent'
  if (!/^\d+$/.test(timestamp) || Math.abs(Number(timestamp) - Date.now() / 1000) > TIMESTAMP_WINDOW_S) return 'timestamp_refused'
  const expected = independentSignature(received, { key: OAUTH1_CONSUMER_KEY, secret: OAUTH1_CONSUMER_SECRET }, tokenSecret ?? '')
  if (!sameText(expected, signature)) return 'signature_invalid'
  // After the signature check, so a forged request cannot burn a nonce.
  const nonceKey = `${oauth['oauth_token'] ?? ''}\n${timestamp}\n${nonce}`
  if (scenario.nonces.has(nonceKey)) return 'nonce_used'
  scenario.nonces.add(nonceKey)
  return null
}

function authorize(url: URL, res: ServerResponse, scenario: Scenario): void {
  const token = url.searchParams.get('oauth_token') ?? ''
  const requestToken = scenario.requestTokens.get(token)
  if (requestToken === undefined) return sendJson(res, 400, { error: 'unknown request token' })
  const callback = new URL(requestToken.callback)
  if (scenario.config.deny) {
    callback.searchParams.set('denied', token)
  } else {
    requestToken.verifier = `v_${randomToken()}`
    callback.searchParams.set('oauth_token', token)
    callback.searchParams.set('oauth_verifier', requestToken.verifier)
  }
  res.writeHead(302, { Location: callback.toString() })
  res.end()
}

async function control(method: string, path: string, body: string, res: ServerResponse, scenario: Scenario): Promise<void> {
  const input = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>)
  if (path === '/_control/log' && method === 'GET') {
    const counts: Record<string, number> = {}
    for (const entry of scenario.log) counts[entry.path] = (counts[entry.path] ?? 0) + 1
    return sendJson(res, 200, { requests: scenario.log, counts })
  }
  if (path === '/_control/config' && method === 'POST') {
    scenario.config = { ...scenario.config, ...(input as Partial<OAuth1ScenarioConfig>) }
    return sendJson(res, 200, scenario.config)
  }
  if (path === '/_control/script' && method === 'POST') {
    const target = String(input['path'])
    const queue = scenario.scripts.get(target) ?? []
    queue.push(...(input['responses'] as ScriptedAnswer[]))
    scenario.scripts.set(target, queue)
    return sendJson(res, 200, { queued: queue.length })
  }
  if (path === '/_control/grant' && method === 'POST') {
    const accessToken = `at_${randomToken()}`
    const accessSecret = `ats_${randomToken()}`
    scenario.accessTokens.set(accessToken, accessSecret)
    return sendJson(res, 200, { oauth_token: accessToken, oauth_token_secret: accessSecret, user_id: 'user-1' })
  }
  return sendJson(res, 404, { error: 'unknown_control_call', path })
}

function scenarioFor(scenarios: Map<string, Scenario>, id: string): Scenario {
  let scenario = scenarios.get(id)
  if (!scenario) {
    scenario = { config: structuredClone(DEFAULT_CONFIG), log: [], scripts: new Map(), requestTokens: new Map(), accessTokens: new Map(), nonces: new Set() }
    scenarios.set(id, scenario)
  }
  return scenario
}

function isAbsoluteUrl(value: string): boolean {
  try {
    new URL(value)
    return true
  } catch {
    return false
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

function originOf(address: string | AddressInfo | null): string {
  if (address === null || typeof address === 'string') throw new Error('the OAuth 1.0a test provider is not listening on TCP')
  return `http://127.0.0.1:${address.port}`
}

function randomToken(): string {
  return randomBytes(18).toString('base64url')
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function sendForm(res: ServerResponse, status: number, fields: Record<string, string>): void {
  res.writeHead(status, { 'Content-Type': 'application/x-www-form-urlencoded', 'Cache-Control': 'no-store' })
  res.end(new URLSearchParams(fields).toString())
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}
