/**
 * Fault suite: every way a token endpoint fails (network error, 500, 503, 429 with
 * Retry-After, timeout, invalid_grant, invalid_client), every malformed response of S11 and
 * answers that echo a secret back (S13), played by the scripted upstream
 * (test/setup/upstream-servers.ts) and a server that resets connections. For each, at refresh
 * time (over the service binding) and at code exchange (a reconnect through the browser flow):
 * the stored credentials are compared before and after (nothing lost), errors carry a stable
 * code, and no answer, stored error, event or log line carries a stack or a secret. Last,
 * forged id_tokens in refresh responses (S17, OpenID Connect Core 12.2).
 */
import { env } from 'cloudflare:test'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { newConnectionId } from '../../src/connection-id.ts'
import type { ConnectionStatus } from '../../src/connection/connection-record.ts'
import { ERROR_CODES, type ErrorCode } from '../../src/errors.ts'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { connectUrlFor } from '../support/connect-flow.ts'
import { sealedCredentials } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario, upstreamOrigin, webhookDeliveries, type ScriptedResponse } from '../support/upstream.ts'
import { captureConsole, leakedSecrets, type ConsoleCapture } from './console-capture.ts'
import { E2E_FAULTS_CLIENT, type E2eBindings } from './e2e-configuration.ts'

const e2eEnv = env as unknown as Env & E2eBindings
const latchkey = e2eEnv.LATCHKEY_SELF

/** A value planted in malformed token responses: it must never be echoed anywhere. */
const PLANTED_TOKEN = 'planted-token-value-7f3a9c2e'

/** A stack frame as V8 prints it. */
const STACK_FRAME = /^\s*at .+:\d+:\d+\)?$/m

interface Fault {
  name: string
  /**
   * The token endpoint's answer (repeated for every try), one made from the connection's
   * current refresh token (what the endpoint was just sent, at refresh), or a connection reset.
   */
  answer: ScriptedResponse | ((refreshToken: string) => ScriptedResponse) | 'connection_reset'
  /** What a refresh throws, the connection status afterwards, and whether it tried more than once. */
  refresh: { code: ErrorCode; status: ConnectionStatus; retried: boolean }
  /** What a failed code exchange reports. */
  exchange: ErrorCode
}

const transient = (code: ErrorCode): Fault['refresh'] => ({ code, status: 'connected', retried: true })
const revoked: Fault['refresh'] = { code: 'needs_reauth', status: 'needs_reauth', retried: false }
const refused: Fault['refresh'] = { code: 'refresh_failed', status: 'error', retried: false }
const ok200 = (body: unknown, contentType = 'application/json'): ScriptedResponse => ({
  status: 200,
  headers: { 'Content-Type': contentType },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})

const FAULTS: Fault[] = [
  // Failures (Connections issue)
  { name: 'network error (connection reset)', answer: 'connection_reset', refresh: transient('upstream_unavailable'), exchange: 'token_exchange_failed' },
  {
    name: 'HTTP 500 with an HTML page',
    answer: { status: 500, headers: { 'Content-Type': 'text/html' }, body: '<html><body>Internal error</body></html>' },
    refresh: transient('upstream_unavailable'),
    exchange: 'token_exchange_failed',
  },
  { name: 'HTTP 503', answer: { status: 503, body: 'Service Unavailable' }, refresh: transient('upstream_unavailable'), exchange: 'token_exchange_failed' },
  {
    name: 'HTTP 429 with Retry-After 120',
    answer: { status: 429, headers: { 'Retry-After': '120' }, body: '' },
    refresh: { code: 'rate_limited', status: 'connected', retried: false },
    exchange: 'token_exchange_failed',
  },
  { name: 'timeout (no answer within TOKEN_REQUEST_TIMEOUT_MS)', answer: { hang: true }, refresh: transient('upstream_unavailable'), exchange: 'token_exchange_failed' },
  {
    name: 'invalid_grant',
    answer: { status: 400, body: { error: 'invalid_grant', error_description: 'refresh token revoked' } },
    refresh: revoked,
    exchange: 'token_exchange_failed',
  },
  { name: 'invalid_client', answer: { status: 401, body: { error: 'invalid_client' } }, refresh: revoked, exchange: 'token_exchange_failed' },
  // Malformed responses (S11)
  { name: 'S11 HTML body with status 200', answer: ok200(`<html>${PLANTED_TOKEN}</html>`, 'text/html'), refresh: refused, exchange: 'invalid_token_response' },
  { name: 'S11 non-JSON text body', answer: ok200(`token is ${PLANTED_TOKEN}`, 'text/plain'), refresh: refused, exchange: 'invalid_token_response' },
  { name: 'S11 JSON array', answer: ok200([{ access_token: PLANTED_TOKEN }]), refresh: refused, exchange: 'invalid_token_response' },
  { name: 'S11 missing access_token', answer: ok200({ token_type: 'Bearer', refresh_token: PLANTED_TOKEN }), refresh: refused, exchange: 'invalid_token_response' },
  { name: 'S11 empty access_token', answer: ok200({ access_token: '', token_type: 'Bearer' }), refresh: refused, exchange: 'invalid_token_response' },
  { name: 'S11 token_type not a string', answer: ok200({ access_token: PLANTED_TOKEN, token_type: 7 }), refresh: refused, exchange: 'invalid_token_response' },
  {
    name: 'S11 expires_in not numeric',
    answer: ok200({ access_token: PLANTED_TOKEN, token_type: 'Bearer', expires_in: 'soon' }),
    refresh: refused,
    exchange: 'invalid_token_response',
  },
  { name: 'S11 error body with status 200', answer: ok200({ error: 'invalid_request' }), refresh: refused, exchange: 'token_exchange_failed' },
  // Answers that echo a secret back (S13): only registered error codes are ever repeated.
  {
    name: 'S13 an error code that is the presented refresh token',
    answer: (refreshToken) => ({ status: 400, body: { error: refreshToken } }),
    refresh: refused,
    exchange: 'token_exchange_failed',
  },
  {
    name: 'S13 an error_description that quotes the presented refresh token',
    answer: (refreshToken) => ({ status: 400, body: { error: 'invalid_request', error_description: `refresh token ${refreshToken} is not valid` } }),
    refresh: refused,
    exchange: 'token_exchange_failed',
  },
]

/** A connection stored as the flow stores it, against its own upstream scenario. */
interface SeededConnection {
  scenario: UpstreamScenario
  tenant: string
  connectionId: string
  connectionInput: Record<string, unknown>
  refreshToken: string
  secrets: string[]
}

let capture: ConsoleCapture

beforeAll(() => {
  capture = captureConsole()
})

afterAll(() => {
  capture.stop()
})

/**
 * Grants tokens on a fresh scenario (scope `openid` adds an id_token) and stores them as the
 * flow does. `connectionInput` adds to `{scenario}` (e.g. `withIssuer`, `tokenUri`).
 */
async function seedConnection(options: { connectionInput?: Record<string, unknown>; scope?: string } = {}): Promise<SeededConnection> {
  const scenario = new UpstreamScenario(`e2e-fault-${crypto.randomUUID()}`)
  // The token endpoint requires the fault connector's client with HTTP Basic (S9).
  await scenario.configure({ client: { id: E2E_FAULTS_CLIENT.clientId, secret: E2E_FAULTS_CLIENT.clientSecret, auth: 'basic' } })
  const tokens = await scenario.grant(options.scope === undefined ? {} : { scope: options.scope })
  const connectionInput: Record<string, unknown> = { scenario: scenario.id, ...options.connectionInput }
  const connectionId = newConnectionId()
  const tenant = `tenant-${scenario.id}`
  const credentials = { ...tokens, expires_at: Date.now() + Number(tokens['expires_in']) * 1000 }
  await e2eEnv.CONNECTIONS.get(e2eEnv.CONNECTIONS.idFromName(connectionId)).storeAuthorizedConnection({
    connectionId,
    connectorKey: 'e2e-faults',
    tenant,
    connectionInput,
    credentials,
  })
  const refreshToken = String(tokens['refresh_token'])
  const secrets = [String(tokens['access_token']), refreshToken, E2E_FAULTS_CLIENT.clientSecret, PLANTED_TOKEN]
  return { scenario, tenant, connectionId, connectionInput, refreshToken, secrets }
}

/** A connection whose token endpoint plays `fault`. */
function seedFaultConnection(fault: Fault): Promise<SeededConnection> {
  if (fault.answer !== 'connection_reset') return seedConnection()
  return seedConnection({ connectionInput: { tokenUri: `${e2eEnv.E2E_CONNECTION_RESET_ORIGIN}/token` } })
}

async function scriptFault(connection: SeededConnection, fault: Fault): Promise<void> {
  const { answer } = fault
  if (answer === 'connection_reset') return
  const scripted = typeof answer === 'function' ? answer(connection.refreshToken) : answer
  await connection.scenario.script(
    '/token',
    Array.from({ length: 5 }, () => scripted),
  )
}

/** Event bodies about the connection, once one reporting the failed refresh has arrived (delivery is asynchronous). */
async function failureEventBodies(connectionId: string): Promise<string[]> {
  return vi.waitFor(async () => {
    const bodies = (await webhookDeliveries(connectionId)).map((request) => request.body)
    expect(bodies.some((body) => /"type":"connection\.(refresh_failed|needs_reauth)"/.test(body))).toBe(true)
    return bodies
  })
}

describe('refresh against a failing token endpoint', () => {
  it.each(FAULTS)('$name: the refresh fails with a stable code and the stored credentials stay as they were', { timeout: 30_000 }, async (fault) => {
    const connection = await seedFaultConnection(fault)
    const before = await sealedCredentials(connection.connectionId)
    await scriptFault(connection, fault)

    const error = await latchkey.refresh(connection.tenant, connection.connectionId).then(
      () => null,
      (thrown: unknown) => thrown,
    )

    expect(await errorCodeOf(error)).toBe(fault.refresh.code)
    const message = error instanceof Error ? error.message : ''
    expect(message).not.toMatch(STACK_FRAME)
    expect(await sealedCredentials(connection.connectionId)).toEqual(before)
    expect(before.credentials['refresh_token']).toEqual(expect.any(String))
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary.status).toBe(fault.refresh.status)
    expect(summary.lastError?.code).toBe(fault.refresh.code)
    if (fault.answer !== 'connection_reset') {
      const hits = await connection.scenario.count('/token')
      if (fault.refresh.retried) expect(hits).toBeGreaterThan(1)
      else expect(hits).toBe(1)
    }
    const events = await failureEventBodies(connection.connectionId)
    expect(leakedSecrets([message, JSON.stringify(summary), ...events, capture.text()].join('\n'), connection.secrets)).toEqual([])
  })

  it('a 429 Retry-After is honoured: the next refresh is refused without a token request', async () => {
    const fault = FAULTS.find((candidate) => candidate.refresh.code === 'rate_limited')
    if (!fault) throw new Error('the table has no 429 row')
    const connection = await seedFaultConnection(fault)
    await scriptFault(connection, fault)
    await latchkey.refresh(connection.tenant, connection.connectionId).catch(() => undefined)

    const second = await latchkey.refresh(connection.tenant, connection.connectionId).then(
      () => null,
      (thrown: unknown) => thrown,
    )
    expect(await errorCodeOf(second)).toBe('rate_limited')
    expect(await connection.scenario.count('/token')).toBe(1)
    // The access token is still valid: callers keep getting it meanwhile.
    const token = await latchkey.getAccessToken(connection.tenant, connection.connectionId)
    expect((await sealedCredentials(connection.connectionId)).credentials['access_token']).toBe(token.accessToken)
  })
})

describe('code exchange against a failing token endpoint', () => {
  it.each(FAULTS)('$name: a reconnect fails with a stable code, no stack, and the old credentials stay', { timeout: 20_000 }, async (fault) => {
    const connection = await seedFaultConnection(fault)
    const before = await sealedCredentials(connection.connectionId)
    await scriptFault(connection, fault)
    const browser = new Browser({ follow: [upstreamOrigin()] })

    const end = await browser.navigate(
      await connectUrlFor('e2e-faults', {
        sub: connection.tenant,
        connector: 'e2e-faults',
        connection_id: connection.connectionId,
        input: connection.connectionInput,
      }),
    )

    // S7: the callback redirected to the result route; the code is in no URL the flow ended on.
    expect(end.url.startsWith(`${LATCHKEY_ORIGIN}/oauth/done?`)).toBe(true)
    expect(new URL(end.url).searchParams.get('error')).toBe(fault.exchange)
    const expected = fault.exchange
    expect(end.response.status).toBe(ERROR_CODES[expected])
    const page = await end.response.text()
    expect(page).toContain(`<code>${expected}</code>`)
    for (const answer of browser.workerAnswers) {
      expect(answer.body).not.toMatch(STACK_FRAME)
      if (answer.status >= 500) expect(answer.body).toMatch(/<code>[a-z_]+<\/code>/)
    }
    // Nothing was written: the old credentials are untouched and no other connection appeared.
    expect(await sealedCredentials(connection.connectionId)).toEqual(before)
    expect((await latchkey.listConnections(connection.tenant)).connections.map((summary) => summary.connectionId)).toEqual([connection.connectionId])
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary.status).toBe('connected')
    if (fault.answer !== 'connection_reset') expect(await connection.scenario.count('/token')).toBe(1)
    const answers = browser.workerAnswers.map((answer) => `${answer.location ?? ''}\n${answer.body}`)
    const events = (await webhookDeliveries(connection.connectionId)).map((request) => request.body)
    expect(leakedSecrets([...answers, JSON.stringify(summary), ...events, capture.text()].join('\n'), connection.secrets)).toEqual([])
  })
})

describe('S17 id_tokens in refresh responses (OpenID Connect Core 12.2)', () => {
  /** A connection to an OpenID Connect scenario whose connector declares the scenario's issuer. */
  const seedOpenIdConnection = (): Promise<SeededConnection> => seedConnection({ connectionInput: { withIssuer: true }, scope: 'openid' })

  it('S17 a valid id_token about the same user from the declared issuer is validated and stored with the new tokens', async () => {
    const connection = await seedOpenIdConnection()
    const before = await sealedCredentials(connection.connectionId)

    await latchkey.refresh(connection.tenant, connection.connectionId)

    const after = (await sealedCredentials(connection.connectionId)).credentials
    expect(after['access_token']).not.toBe(before.credentials['access_token'])
    expect(decodeJwt(String(after['id_token']))).toMatchObject({ iss: connection.scenario.issuer, sub: 'user-1', aud: E2E_FAULTS_CLIENT.clientId })
    expect(await connection.scenario.count('/jwks')).toBeGreaterThan(0)
  })

  it.each(['wrong_audience', 'wrong_issuer', 'expired', 'foreign_key', 'alg_none', 'other_subject'] as const)(
    'S17 a refresh response with a forged id_token (%s) is refused and the stored credentials stay as they were',
    async (forgery) => {
      const connection = await seedOpenIdConnection()
      const before = await sealedCredentials(connection.connectionId)
      await connection.scenario.configure({ idToken: forgery })

      const error = await latchkey.refresh(connection.tenant, connection.connectionId).then(
        () => null,
        (thrown: unknown) => thrown,
      )

      expect(await errorCodeOf(error)).toBe('refresh_failed')
      expect(await sealedCredentials(connection.connectionId)).toEqual(before)
      const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
      expect(summary).toMatchObject({ status: 'error', lastError: { code: 'refresh_failed' } })
      expect(await connection.scenario.count('/token')).toBe(1)
    },
  )

  it('S17 without a declared issuer, an id_token in a refresh response is not stored: the one from the authorization stays', async () => {
    const connection = await seedConnection({ scope: 'openid' })
    const before = await sealedCredentials(connection.connectionId)
    await connection.scenario.configure({ idToken: 'other_subject' })

    await latchkey.refresh(connection.tenant, connection.connectionId)

    const after = (await sealedCredentials(connection.connectionId)).credentials
    expect(after['access_token']).not.toBe(before.credentials['access_token'])
    expect(after['id_token']).toBe(before.credentials['id_token'])
    expect(decodeJwt(String(after['id_token']))).toMatchObject({ sub: 'user-1' })
  })
})
