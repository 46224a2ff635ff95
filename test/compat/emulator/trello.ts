/**
 * Trello with OAuth 1.0a (RFC 5849), as documented at
 * https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/#using-basic-oauth:
 * - request token: POST https://trello.com/1/OAuthGetRequestToken, signed with the consumer
 *   secret alone, `oauth_callback` in the Authorization header; answers
 *   `oauth_token`, `oauth_token_secret`, `oauth_callback_confirmed=true` (form-encoded);
 * - authorize: GET https://trello.com/1/OAuthAuthorizeToken?oauth_token=...&name=...&scope=...&expiration=...;
 *   the user approves at once: 302 to the callback with `oauth_token` and `oauth_verifier`
 *   (header `X-Emulator-Grant` names the grant; the Worker never sees this response);
 * - access token: POST https://trello.com/1/OAuthGetAccessToken, signed with the request
 *   token's secret, with `oauth_token` and `oauth_verifier`; a request token is exchanged once;
 * - API (https://api.trello.com/1): the API key and the user's token in the query, `key` and
 *   `token`; a request that also carries `Authorization: OAuth ...` must be validly signed with
 *   the token's secret (a wrong key, token or signature is 401 in plain text: "invalid key",
 *   "invalid token", "invalid signature").
 *
 * Every signature (HMAC-SHA1, what Trello documents) is recomputed from the parameters as
 * received by an independent implementation, the `oauth-1.0a` npm package; timestamps must be
 * within five minutes and a nonce is accepted once per timestamp (RFC 5849 §3.3). Runs in
 * Node only: the constants test files import are in trello-app.ts.
 *
 * Control actions: `log`, `grant`, `tokens` and `revoke` (body `{grant}`).
 */
import { createHmac } from 'node:crypto'
import OAuth from 'oauth-1.0a'
import { connectorParameterVariable } from '../../../src/registry/connector-parameters.ts'
import { UNROUTED_HEADER, UnknownControlAction, json, loggedRequest, type EmulatedRequest, type LoggedRequest, type ProviderEmulator } from './emulator.ts'
import { HEX, randomOf } from './credential-provider.ts'
import { randomToken } from './oauth2-provider.ts'
import { TRELLO_CONSUMER, type TrelloLoggedRequest, type TrelloSignatureCheck } from './trello-app.ts'

const REQUEST_TOKEN_URL = 'https://trello.com/1/OAuthGetRequestToken'
const AUTHORIZE_URL = 'https://trello.com/1/OAuthAuthorizeToken'
const ACCESS_TOKEN_URL = 'https://trello.com/1/OAuthGetAccessToken'
const API_ORIGIN = 'https://api.trello.com'

/** Seconds a timestamp may be off (RFC 5849 §3.3 leaves the window to the server). */
const TIMESTAMP_WINDOW = 300

interface TrelloGrant {
  id: string
  requestToken: string
  requestTokenSecret: string
  callback: string
  /** Set when the user approved. */
  verifier: string | null
  /** The request token was exchanged for an access token (single use). */
  exchanged: boolean
  authorizeQuery: Record<string, string> | null
  member: { id: string; username: string; fullName: string }
  revoked: boolean
}

interface AccessToken {
  grantId: string
  secret: string
}

/** A fresh Trello emulator. */
export function trello(): ProviderEmulator {
  const grants = new Map<string, TrelloGrant>()
  const byRequestToken = new Map<string, TrelloGrant>()
  const accessTokens = new Map<string, AccessToken>()
  const seenNonces = new Set<string>()
  const log: TrelloLoggedRequest[] = []

  function record(
    request: EmulatedRequest,
    endpoint: LoggedRequest['endpoint'],
    grant: string | null,
    oauth: Record<string, string> | null,
    signature: TrelloSignatureCheck,
    problem: string | null,
  ): void {
    log.push({ ...loggedRequest(request, endpoint, grant, formOf(request)), oauth, signature, problem })
  }

  /** Checks consumer key, signature, timestamp and nonce of a signed request; returns what is wrong, or null. */
  function checkSigned(request: EmulatedRequest, oauth: Record<string, string>, tokenSecret: string): { signature: TrelloSignatureCheck; problem: string | null } {
    if (oauth['oauth_consumer_key'] !== TRELLO_CONSUMER.key) return { signature: 'invalid', problem: 'invalid key' }
    if (oauth['oauth_signature_method'] !== 'HMAC-SHA1') return { signature: 'invalid', problem: 'oauth_signature_method must be HMAC-SHA1' }
    if (oauth['oauth_version'] !== undefined && oauth['oauth_version'] !== '1.0') return { signature: 'invalid', problem: 'oauth_version must be 1.0' }
    const signature = verifySignature(request, oauth, tokenSecret)
    if (signature !== 'valid') return { signature, problem: 'invalid signature' }
    const timestamp = Number(oauth['oauth_timestamp'])
    if (!/^\d+$/.test(oauth['oauth_timestamp'] ?? '') || Math.abs(Date.now() / 1000 - timestamp) > TIMESTAMP_WINDOW) return { signature, problem: 'oauth_timestamp out of range' }
    const nonce = `${oauth['oauth_consumer_key']}|${oauth['oauth_token'] ?? ''}|${timestamp}|${oauth['oauth_nonce'] ?? ''}`
    if ((oauth['oauth_nonce'] ?? '') === '' || seenNonces.has(nonce)) return { signature, problem: 'oauth_nonce already used' }
    seenNonces.add(nonce)
    return { signature, problem: null }
  }

  function requestToken(request: EmulatedRequest): Response {
    const oauth = oauthParameters(request)
    if (request.method !== 'POST' || oauth === null) {
      record(request, 'token', null, oauth, oauth === null ? 'missing' : 'invalid', 'POST with an Authorization: OAuth header')
      return text(400, 'invalid request')
    }
    const { signature, problem } = checkSigned(request, oauth, '')
    const callback = oauth['oauth_callback'] ?? ''
    const refusal =
      problem ?? (oauth['oauth_token'] !== undefined ? 'no oauth_token in a request-token request' : !/^https:\/\//.test(callback) ? 'oauth_callback must be an https URL' : null)
    if (refusal !== null) {
      record(request, 'token', null, oauth, signature, refusal)
      return text(401, refusal)
    }
    const grant: TrelloGrant = {
      id: `grant-${randomToken(12)}`,
      requestToken: randomOf(HEX, 32),
      requestTokenSecret: randomOf(HEX, 32),
      callback,
      verifier: null,
      exchanged: false,
      authorizeQuery: null,
      member: { id: randomOf(HEX, 24), username: `compat${randomOf(HEX, 6)}`, fullName: 'Rosa Compat' },
      revoked: false,
    }
    grants.set(grant.id, grant)
    byRequestToken.set(grant.requestToken, grant)
    record(request, 'token', grant.id, oauth, signature, null)
    return form(200, { oauth_token: grant.requestToken, oauth_token_secret: grant.requestTokenSecret, oauth_callback_confirmed: 'true' })
  }

  function authorize(request: EmulatedRequest): Response {
    const grant = byRequestToken.get(request.url.searchParams.get('oauth_token') ?? '')
    const scope = request.url.searchParams.get('scope') ?? 'read'
    const expiration = request.url.searchParams.get('expiration') ?? '30days'
    const problem =
      grant === undefined || grant.verifier !== null
        ? 'unknown or already authorized request token'
        : !scope.split(',').every((part) => ['read', 'write', 'account'].includes(part))
          ? 'scope must be a comma-separated list of read, write, account'
          : !['1hour', '1day', '30days', 'never'].includes(expiration)
            ? 'expiration must be 1hour, 1day, 30days or never'
            : null
    record(request, 'authorize', grant?.id ?? null, null, 'missing', problem)
    if (grant === undefined || problem !== null) return new Response(`Invalid authorization request: ${problem}`, { status: 400 })
    grant.authorizeQuery = Object.fromEntries(request.url.searchParams)
    grant.verifier = randomOf(HEX, 32)
    const callback = new URL(grant.callback)
    callback.searchParams.set('oauth_token', grant.requestToken)
    callback.searchParams.set('oauth_verifier', grant.verifier)
    return new Response(null, { status: 302, headers: { Location: callback.toString(), 'X-Emulator-Grant': grant.id } })
  }

  function accessToken(request: EmulatedRequest): Response {
    const oauth = oauthParameters(request)
    const grant = byRequestToken.get(oauth?.['oauth_token'] ?? '')
    if (request.method !== 'POST' || oauth === null || grant === undefined) {
      record(request, 'token', grant?.id ?? null, oauth, oauth === null ? 'missing' : 'invalid', 'unknown request token')
      return text(401, 'invalid token')
    }
    const { signature, problem } = checkSigned(request, oauth, grant.requestTokenSecret)
    const refusal =
      problem ??
      (grant.verifier === null
        ? 'the request token was not authorized'
        : grant.exchanged
          ? 'the request token was already exchanged'
          : oauth['oauth_verifier'] !== grant.verifier
            ? 'invalid verifier'
            : null)
    record(request, 'token', grant.id, oauth, signature, refusal)
    if (refusal !== null) return text(401, refusal)
    grant.exchanged = true
    const token = `ATTA${randomOf(HEX, 64)}${randomOf(HEX, 8).toUpperCase()}`
    const secret = randomOf(HEX, 64)
    accessTokens.set(token, { grantId: grant.id, secret })
    return form(200, { oauth_token: token, oauth_token_secret: secret })
  }

  function api(request: EmulatedRequest, route: (grant: TrelloGrant) => Response): Response {
    const oauth = oauthParameters(request)
    const token = request.url.searchParams.get('token') ?? ''
    const issued = accessTokens.get(token)
    const grant = issued === undefined ? undefined : grants.get(issued.grantId)
    const refuse = (signature: TrelloSignatureCheck, problem: string): Response => {
      record(request, 'api', grant?.id ?? null, oauth, signature, problem)
      return text(401, problem)
    }
    if (request.url.searchParams.get('key') !== TRELLO_CONSUMER.key) return refuse(oauth === null ? 'missing' : 'invalid', 'invalid key')
    if (issued === undefined || grant === undefined || grant.revoked) return refuse(oauth === null ? 'missing' : 'invalid', 'invalid token')
    // Trello takes key and token alone; a request that is signed as well must be signed right.
    let signature: TrelloSignatureCheck = 'missing'
    if (oauth !== null) {
      if (oauth['oauth_token'] !== token) return refuse('invalid', 'oauth_token differs from the token parameter')
      const checked = checkSigned(request, oauth, issued.secret)
      signature = checked.signature
      if (checked.problem !== null) return refuse(signature, checked.problem)
    }
    record(request, 'api', grant.id, oauth, signature, null)
    return route(grant)
  }

  const apiRoutes: Record<string, (request: EmulatedRequest, grant: TrelloGrant) => Response> = {
    'GET /1/members/me': (request, grant) => {
      const member: Record<string, unknown> = { ...grant.member, url: `https://trello.com/${grant.member.username}`, idBoards: ['5f1a2b3c4d5e6f7a8b9c0d1e'] }
      const fields = request.url.searchParams.get('fields')
      if (fields === null || fields === 'all') return json(200, member)
      return json(200, Object.fromEntries(Object.entries(member).filter(([name]) => name === 'id' || fields.split(',').includes(name))))
    },
    'GET /1/members/me/boards': () => json(200, [{ id: '5f1a2b3c4d5e6f7a8b9c0d1e', name: 'Compat Board', closed: false, url: 'https://trello.com/b/AbCd1234/compat-board' }]),
  }

  function requireGrant(input: Record<string, unknown>): TrelloGrant {
    const grant = grants.get(String(input['grant']))
    if (grant === undefined) throw new Error(`no grant ${String(input['grant'])}`)
    return grant
  }

  const controls: Record<string, (input: Record<string, unknown>) => unknown> = {
    log: (input) => log.filter((entry) => input['grant'] === undefined || entry.grant === input['grant']),
    grant: (input) => {
      const { id, requestToken, authorizeQuery, member, revoked } = requireGrant(input)
      return { id, scope: authorizeQuery?.['scope'] ?? '', params: {}, data: { requestToken, authorizeQuery, member }, revoked }
    },
    tokens: (input) => {
      const grant = requireGrant(input)
      return {
        access: [...accessTokens].filter(([, issued]) => issued.grantId === grant.id).map(([value]) => ({ value, issuedBy: 'oauth1', expired: grant.revoked })),
        refresh: [],
      }
    },
    revoke: (input) => {
      requireGrant(input).revoked = true
      return { ok: true }
    },
  }

  return {
    key: 'trello',
    hosts: ['trello.com', 'api.trello.com'],
    bindings: {
      [connectorParameterVariable('trello', 'consumerKey')]: TRELLO_CONSUMER.key,
      [connectorParameterVariable('trello', 'consumerSecret')]: TRELLO_CONSUMER.secret,
    },
    async handle(request) {
      const endpoint = `${request.url.origin}${request.url.pathname}`
      if (endpoint === REQUEST_TOKEN_URL) return requestToken(request)
      if (endpoint === AUTHORIZE_URL && request.method === 'GET') return authorize(request)
      if (endpoint === ACCESS_TOKEN_URL) return accessToken(request)
      const route = request.url.origin === API_ORIGIN ? apiRoutes[`${request.method} ${request.url.pathname}`] : undefined
      if (route !== undefined) return api(request, (grant) => route(request, grant))
      record(request, 'unrouted', null, oauthParameters(request), 'missing', 'no route')
      return json(404, { error: 'not_found', message: `the trello emulator has no route for ${request.method} ${request.url.pathname}` }, { [UNROUTED_HEADER]: 'true' })
    },
    async control(action, input) {
      const control = controls[action]
      if (control === undefined) throw new UnknownControlAction(`trello has no control action ${action}`)
      return control(input)
    },
  }
}

/**
 * The signature recomputed by the `oauth-1.0a` package from the request as received: its
 * method, its URL (query parameters included), its form body parameters and the protocol
 * parameters of the header (all but `oauth_signature` and `realm`), keyed with the consumer
 * secret and `tokenSecret`.
 */
function verifySignature(request: EmulatedRequest, oauth: Record<string, string>, tokenSecret: string): TrelloSignatureCheck {
  const presented = oauth['oauth_signature']
  if (presented === undefined) return 'missing'
  const signer = new OAuth({
    consumer: { key: TRELLO_CONSUMER.key, secret: TRELLO_CONSUMER.secret },
    signature_method: 'HMAC-SHA1',
    hash_function: (baseString, key) => createHmac('sha1', key).update(baseString).digest('base64'),
  })
  const { oauth_signature: _signature, realm: _realm, ...signed } = oauth
  const expected = signer.getSignature({ url: request.url.toString(), method: request.method, data: formOf(request) ?? {} }, tokenSecret, signed as unknown as OAuth.Data)
  return expected === presented ? 'valid' : 'invalid'
}

/** The protocol parameters of an `Authorization: OAuth ...` header, percent-decoded; null without one. */
function oauthParameters(request: EmulatedRequest): Record<string, string> | null {
  const header = request.headers.get('Authorization') ?? ''
  if (!/^OAuth\s/i.test(header)) return null
  const parameters: Record<string, string> = {}
  for (const [, name = '', value = ''] of header.slice(6).matchAll(/([A-Za-z0-9_.~%-]+)="([^"]*)"/g)) parameters[decodeURIComponent(name)] = decodeURIComponent(value)
  return parameters
}

function formOf(request: EmulatedRequest): Record<string, string> | null {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase()
  return type === 'application/x-www-form-urlencoded' ? Object.fromEntries(new URLSearchParams(request.body)) : null
}

function form(status: number, body: Record<string, string>): Response {
  return new Response(new URLSearchParams(body).toString(), { status, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
}
