/**
 * End to end against a real authorization server (oidc-provider on 127.0.0.1, started by
 * test/setup/authorization-server.ts): connect token, authorize redirect, sign-in and
 * consent, callback, code exchange, stored connection, tokens over the service binding, API
 * calls through the proxy to the server's userinfo endpoint, expiry, refresh with rotation
 * (each refreshed id_token validated).
 * The server's own record says what it saw (client authentication, PKCE, revoked grants),
 * and nothing it issued may appear in the Worker's console output or answers (S13).
 */
import { env } from 'cloudflare:test'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ServerEvent } from '../../scripts/authorization-server/server-events.ts'
import { REFRESH_AHEAD_MS } from '../../src/connection/connection-record.ts'
import { Browser } from '../support/browser.ts'
import { connectWithLogin, RETURN_URL } from '../support/connect-flow.ts'
import { captureConsole, leakedSecrets, type ConsoleCapture } from './console-capture.ts'
import { E2E_CLIENTS, type E2eBindings } from './e2e-configuration.ts'
import { expireAccessTokens, issuedValues, secretsSeen, serverEvents, tokenRequests } from './server-control.ts'

const e2eEnv = env as unknown as Env & E2eBindings
const issuer = e2eEnv.E2E_BASIC__ISSUER
const latchkey = e2eEnv.LATCHKEY_SELF

/**
 * How far to move the Worker's clock so the access token (one hour) is due for refresh
 * (within REFRESH_AHEAD_MS of its expiry), but not past it: the server's id_tokens also live
 * one hour by the server's own clock, and a refreshed id_token is validated against the
 * Worker's (S17, OpenID Connect Core 12.2).
 */
const INTO_REFRESH_WINDOW_MS = 3600_000 - REFRESH_AHEAD_MS / 2

let capture: ConsoleCapture
/** Accounts used in this file: their server events name every secret to look for. */
const accounts: string[] = []
/** Everything the Worker answered or threw, for the secret scan. */
const workerOutput: string[] = []

beforeAll(() => {
  capture = captureConsole()
})

afterAll(() => {
  capture.stop()
})

/** A fresh login name (the server's account id) and the tenant that connects it. */
function newUser(): { account: string; tenant: string } {
  const account = `user-${crypto.randomUUID().slice(0, 8)}`
  accounts.push(account)
  return { account, tenant: `tenant-${account}` }
}

/** Connects `account` with the connector and returns the connection id the app got back. */
async function connect(browser: Browser, connectorKey: string, user: { account: string; tenant: string }): Promise<string> {
  const flow = await connectWithLogin(browser, issuer, user.account, { tenant: user.tenant, connectorKey })
  expect(`${flow.returnedTo.origin}${flow.returnedTo.pathname}`).toBe(RETURN_URL)
  expect(flow.returnedTo.searchParams.get('status')).toBe('connected')
  const connectionId = flow.returnedTo.searchParams.get('connection_id')
  if (connectionId === null) throw new Error('no connection_id on the return URL')
  return connectionId
}

/** Calls the userinfo endpoint through the proxy and returns status and body. */
async function callUserinfo(tenant: string, connectionId: string): Promise<{ status: number; body: unknown }> {
  const response = await latchkey.proxy(tenant, connectionId, { path: '/me' })
  const text = await response.text()
  workerOutput.push(text)
  return { status: response.status, body: text === '' ? null : JSON.parse(text) }
}

/** Runs `body` with the Worker's clock `ms` ahead (the test isolate is the Worker's isolate). */
async function later<T>(ms: number, body: () => Promise<T>): Promise<T> {
  vi.setSystemTime(Date.now() + ms)
  try {
    return await body()
  } finally {
    vi.useRealTimers()
  }
}

function revokedGrants(events: ServerEvent[]): ServerEvent[] {
  return events.filter((event) => event.type === 'grant_revoked')
}

describe.each(E2E_CLIENTS)('connector $connectorKey ($tokenEndpointAuthMethod client)', (client) => {
  it('connects, calls the API, refreshes with rotation when the token is due and keeps working', async () => {
    const user = newUser()
    const browser = new Browser({ follow: [issuer] })
    const connectionId = await connect(browser, client.connectorKey, user)
    workerOutput.push(...browser.workerAnswers.map((answer) => `${answer.location ?? ''}\n${answer.body}`))

    let events = await serverEvents(issuer, user.account)
    const exchanges = tokenRequests(events, 'authorization_code')
    expect(exchanges, 'one code exchange').toHaveLength(1)
    // S9: exactly the configured client authentication; S4: the S256 challenge was verified.
    expect(exchanges[0]).toMatchObject({
      status: 200,
      clientId: client.clientId,
      clientAuthentication: client.tokenEndpointAuthMethod,
      pkce: 'verified',
    })

    const first = await latchkey.getAccessToken(user.tenant, connectionId)
    expect(issuedValues(events, 'AccessToken')).toEqual([first.accessToken])
    expect(await callUserinfo(user.tenant, connectionId)).toEqual({ status: 200, body: { sub: user.account } })

    // The token nears the end of its lifetime: the next caller gets a refreshed one.
    const second = await later(INTO_REFRESH_WINDOW_MS, () => latchkey.getAccessToken(user.tenant, connectionId))
    expect(second.accessToken).not.toBe(first.accessToken)
    expect(await callUserinfo(user.tenant, connectionId)).toEqual({ status: 200, body: { sub: user.account } })

    // The server ends the token's life early: the API answers 401, the proxy refreshes and retries.
    expect(await expireAccessTokens(issuer, user.account)).toBeGreaterThan(0)
    expect(await callUserinfo(user.tenant, connectionId)).toEqual({ status: 200, body: { sub: user.account } })
    const third = await latchkey.getAccessToken(user.tenant, connectionId)
    expect(third.accessToken).not.toBe(second.accessToken)

    events = await serverEvents(issuer, user.account)
    const refreshes = tokenRequests(events, 'refresh_token')
    expect(refreshes.map((request) => [request.status, request.clientAuthentication])).toEqual([
      [200, client.tokenEndpointAuthMethod],
      [200, client.tokenEndpointAuthMethod],
    ])
    // Rotation: every refresh got a new refresh token, and no old one was ever replayed.
    expect(issuedValues(events, 'RefreshToken')).toHaveLength(3)
    expect(revokedGrants(events)).toEqual([])
    // S17, OpenID Connect Core 12.2: each refresh's id_token passed validation against the first and was stored.
    const idTokens = issuedValues(events, 'IdToken')
    expect(idTokens).toHaveLength(3)
    expect((await latchkey.getCredentials(user.tenant, connectionId))['id_token']).toBe(idTokens[2])
    // Userinfo as the server answered it: connection test, first call, call after the refresh, rejected call, its retry.
    expect(events.flatMap((event) => (event.type === 'resource_request' ? [event.status] : []))).toEqual([200, 200, 200, 401, 200])
  })
})

describe('S12 concurrent callers with refresh-token rotation', () => {
  it('S12 50 concurrent getAccessToken calls when the token is due make exactly one refresh and revoke nothing', async () => {
    const user = newUser()
    const connectionId = await connect(new Browser({ follow: [issuer] }), 'e2e-basic', user)

    const tokens = await later(INTO_REFRESH_WINDOW_MS, () => Promise.all(Array.from({ length: 50 }, () => latchkey.getAccessToken(user.tenant, connectionId))))

    const events = await serverEvents(issuer, user.account)
    expect(tokenRequests(events, 'refresh_token').map((request) => request.status)).toEqual([200])
    expect(revokedGrants(events)).toEqual([])
    const issuedAccessTokens = issuedValues(events, 'AccessToken')
    expect(new Set(tokens.map((token) => token.accessToken))).toEqual(new Set([issuedAccessTokens[1]]))
    expect(await callUserinfo(user.tenant, connectionId)).toMatchObject({ status: 200 })
  })

  it('S12 50 concurrent API calls answered 401 make exactly one refresh and all succeed on retry', async () => {
    const user = newUser()
    const connectionId = await connect(new Browser({ follow: [issuer] }), 'e2e-post', user)
    await expireAccessTokens(issuer, user.account)

    const results = await Promise.all(Array.from({ length: 50 }, () => callUserinfo(user.tenant, connectionId)))

    expect(results.map((result) => result.status)).toEqual(Array.from({ length: 50 }, () => 200))
    const events = await serverEvents(issuer, user.account)
    expect(tokenRequests(events, 'refresh_token').map((request) => request.status)).toEqual([200])
    expect(revokedGrants(events)).toEqual([])
  })
})

describe('S9 client authentication at a server that allows one method per request', () => {
  it('S9 a connector without clientAuthLocation sends Basic and body credentials together, and the server refuses the exchange', async () => {
    const user = newUser()
    const flow = await connectWithLogin(new Browser({ follow: [issuer] }), issuer, user.account, { tenant: user.tenant, connectorKey: 'e2e-default-auth' })

    expect(flow.returnedTo.searchParams.get('error')).toBe('token_exchange_failed')
    const events = await serverEvents(issuer, user.account)
    expect(tokenRequests(events, 'authorization_code')).toMatchObject([{ clientAuthentication: 'both', status: 400, error: 'invalid_request' }])
  })
})

describe('S2 callback replay against a real server', () => {
  it('S2 a replayed callback URL is rejected before any token request and the grant stays valid', async () => {
    const user = newUser()
    const browser = new Browser({ follow: [issuer] })
    const flow = await connectWithLogin(browser, issuer, user.account, { tenant: user.tenant, connectorKey: 'e2e-basic' })
    const connectionId = flow.returnedTo.searchParams.get('connection_id') ?? ''

    // The same browser reopens it (its flow cookie was cleared), then someone who also kept the cookie.
    const reopened = await browser.request(flow.callbackUrl)
    const replayed = await browser.request(flow.callbackUrl, { cookieHeader: flow.callbackCookie })
    workerOutput.push(...browser.workerAnswers.map((answer) => `${answer.location ?? ''}\n${answer.body}`))
    expect(reopened.status).toBe(400)
    expect(await reopened.text()).toMatch(/<code>state_(browser_mismatch|reused)<\/code>/)
    expect(replayed.status).toBe(400)
    expect(await replayed.text()).toContain('<code>state_reused</code>')

    const events = await serverEvents(issuer, user.account)
    expect(tokenRequests(events, 'authorization_code'), 'the code went to the token endpoint once').toHaveLength(1)
    expect(revokedGrants(events)).toEqual([])
    expect(await callUserinfo(user.tenant, connectionId)).toEqual({ status: 200, body: { sub: user.account } })
  })
})

describe('S13 nothing secret in the Worker output', () => {
  it('S13 no issued token, code, verifier or client secret appears in console output or Worker answers', async () => {
    // One more full flow, so this test stands on its own; the scan covers the whole file's run.
    const user = newUser()
    const connectionId = await connect(new Browser({ follow: [issuer] }), 'e2e-post', user)
    await later(INTO_REFRESH_WINDOW_MS, () => latchkey.getAccessToken(user.tenant, connectionId))
    const consoleText = capture.text()
    // The connector's test method logs a line from inside the Durable Object: proof the capture works.
    expect(consoleText).toContain('e2e connector test: userinfo answered 200')

    const secrets: string[] = E2E_CLIENTS.map((client) => client.clientSecret)
    for (const account of accounts) secrets.push(...secretsSeen(await serverEvents(issuer, account)))
    expect(secrets.length).toBeGreaterThan(accounts.length * 4)
    expect(leakedSecrets(consoleText, secrets)).toEqual([])
    expect(leakedSecrets(workerOutput.join('\n'), secrets)).toEqual([])
  })
})
