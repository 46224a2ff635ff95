/**
 * Dropbox's connector (test/compat/connectors/dropbox/), unchanged, against the Dropbox
 * emulator: `token_access_type=offline` through `extra`, PKCE, client authentication left
 * unspecified (Latchkey then sends Basic and body together), an inline JavaScript test that
 * POSTs `null` (no arguments) to an RPC endpoint, and a refresh token that Dropbox keeps
 * (a refresh answers none, so the stored one is used again).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { DROPBOX_ACCOUNT_ID, DROPBOX_CLIENT } from './emulator/dropbox.ts'
import { expectAuthorizeUrl, expectPkceVerifier, REDIRECT_URI, S256_CHALLENGE, STATE } from './expectations.ts'

const dropbox = new EmulatorControl('dropbox')
const BASIC = `Basic ${btoa(`${DROPBOX_CLIENT.id}:${DROPBOX_CLIENT.secret}`)}`

afterEach(expectNoUnexpectedOutbound)

describe('Dropbox', () => {
  it('is compiled into the registry', () => {
    expectCompiled('dropbox')
  })

  it('sends the user to Dropbox with token_access_type=offline and an S256 challenge', async () => {
    const { authorizeUrl } = await startConnect('dropbox')
    expectAuthorizeUrl(authorizeUrl, 'https://www.dropbox.com/oauth2/authorize', {
      response_type: 'code',
      client_id: DROPBOX_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      code_challenge: S256_CHALLENGE,
      code_challenge_method: 'S256',
      scope: 'account_info.read files.metadata.read',
      token_access_type: 'offline',
    })
  })

  it('exchanges the code with the PKCE verifier and the client credentials both as Basic and in the body', async () => {
    const connection = await connect('dropbox')
    const [exchange, ...others] = await dropbox.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({
      method: 'POST',
      url: 'https://api.dropboxapi.com/oauth2/token',
      form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, client_id: DROPBOX_CLIENT.id, client_secret: DROPBOX_CLIENT.secret },
    })
    expect(exchange?.headers['authorization']).toBe(BASIC)
    await expectPkceVerifier(exchange!, connection.authorizeUrl)
  })

  it('is connected, its test having POSTed users/get_current_account without arguments as Dropbox accepts it', async () => {
    const connection = await connect('dropbox')
    expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    const calls = await dropbox.requests(connection.grant, 'api')
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ method: 'POST', url: 'https://api.dropboxapi.com/2/users/get_current_account' })
    // `post(path, null)`: the JSON body null, or no body and no Content-Type; never an empty JSON body (Dropbox answers 400).
    const contentType = calls[0]?.headers['content-type']?.split(';')[0]
    expect(contentType === undefined ? `(none) ${calls[0]?.body}` : `${contentType} ${calls[0]?.body.trim()}`).toMatch(/^(\(none\) |application\/json null)$/)
    expect(calls[0]?.headers['authorization']).toBe(`Bearer ${await dropbox.latestAccessToken(connection.grant)}`)
    expect((await latchkey.getCredentials(connection.tenant, connection.connectionId))['account_id']).toBe(DROPBOX_ACCOUNT_ID)
  })

  it('refreshes twice with the same refresh token (Dropbox answers none) and uses each new access token', async () => {
    const connection = await connect('dropbox')
    const before = await dropbox.tokens(connection.grant)
    expect(before.refresh).toHaveLength(1)
    await latchkey.refresh(connection.tenant, connection.connectionId)
    const afterFirst = await dropbox.latestAccessToken(connection.grant)
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(afterFirst)
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const refreshes = (await dropbox.requests(connection.grant, 'token')).filter((request) => request.form?.['grant_type'] === 'refresh_token')
    expect(refreshes.map((request) => request.form?.['refresh_token'])).toEqual([before.refresh[0]?.value, before.refresh[0]?.value])
    const latest = await dropbox.latestAccessToken(connection.grant)
    expect(new Set([before.access[0]?.value, afterFirst, latest]).size).toBe(3)
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(latest)
  })

  it('proxies an RPC call with the Bearer token and the body as given', async () => {
    const connection = await connect('dropbox')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, {
      path: '/2/users/get_space_usage',
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: 'null',
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ allocation: { '.tag': 'individual' } })
    const call = (await dropbox.requests(connection.grant, 'api')).at(-1)
    expect(call).toMatchObject({ method: 'POST', url: 'https://api.dropboxapi.com/2/users/get_space_usage', body: 'null' })
    expect(call?.headers['authorization']).toBe(`Bearer ${await dropbox.latestAccessToken(connection.grant)}`)
  })
})
