import { describe, expect, it } from 'vitest'
import { MAX_EXPIRES_IN_SECONDS, MAX_TOKEN_RESPONSE_BYTES, processTokenResponse, validateTokenFields, withTokenExpiry } from '../../src/oauth/token-response.ts'

const NOW = 1_700_000_000_000
/** A refresh token the client just sent: a hostile server answers it back (S13). */
const PRESENTED_TOKEN = 'rt_presented-refresh-token-4b1d'

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })
}

function text(status: number, body: string, contentType: string): Response {
  return new Response(body, { status, headers: { 'Content-Type': contentType } })
}

describe('processTokenResponse (S11)', () => {
  it('accepts a JSON token response, keeps every field and computes expires_at', async () => {
    const result = await processTokenResponse(json(200, { access_token: 'a', token_type: 'Bearer', expires_in: 3600, scope: 'read', x: 1 }), NOW)
    expect(result).toEqual({
      ok: true,
      tokens: { access_token: 'a', token_type: 'Bearer', expires_in: 3600, scope: 'read', x: 1, expires_at: NOW + 3_600_000 },
    })
  })

  it.each([
    ['a numeric string', '3600', NOW + 3_600_000],
    ['a number', 60, NOW + 60_000],
    ['zero', 0, NOW],
  ])('turns expires_in given as %s into expires_at', async (_case, expiresIn, expiresAt) => {
    const result = await processTokenResponse(json(200, { access_token: 'a', expires_in: expiresIn }), NOW)
    expect(result.ok && result.tokens.expires_at).toBe(expiresAt)
  })

  it('accepts a form-encoded token response', async () => {
    const result = await processTokenResponse(text(200, 'access_token=gho_x&scope=repo%2Cuser&token_type=bearer', 'application/x-www-form-urlencoded; charset=utf-8'), NOW)
    expect(result).toEqual({ ok: true, tokens: { access_token: 'gho_x', scope: 'repo,user', token_type: 'bearer' } })
  })

  it('accepts a form-encoded token response sent as text/plain', async () => {
    const result = await processTokenResponse(text(200, 'access_token=a&expires_in=10', 'text/plain'), NOW)
    expect(result).toEqual({ ok: true, tokens: { access_token: 'a', expires_in: '10', expires_at: NOW + 10_000 } })
  })

  it.each(['bearer', 'BEARER', 'Bearer', 'bot', 'user', 'mac', undefined])(
    'S11 stores token_type %s as sent: makeApiClient writes the header, Latchkey never reads it',
    async (tokenType) => {
      const result = await processTokenResponse(json(200, { access_token: 'a', token_type: tokenType }), NOW)
      expect(result).toEqual({ ok: true, tokens: tokenType === undefined ? { access_token: 'a' } : { access_token: 'a', token_type: tokenType } })
    },
  )

  it("stores Slack's oauth.v2.access answer (token_type bot, comma scopes, nested team)", async () => {
    const body = {
      ok: true,
      access_token: 'xoxb-1',
      token_type: 'bot',
      scope: 'chat:write,channels:read',
      bot_user_id: 'U1',
      app_id: 'A1',
      team: { id: 'T1', name: 'Acme' },
      authed_user: { id: 'U2' },
    }
    expect(await processTokenResponse(json(200, body), NOW)).toEqual({ ok: true, tokens: body })
  })

  it.each([
    ['in epoch seconds (Strava)', 1_900_000_000, 1_900_000_000_000],
    ['in epoch seconds as a string', '1900000000', 1_900_000_000_000],
    ['in milliseconds', 1_900_000_000_123, 1_900_000_000_123],
  ])('reads a provider expires_at %s without expires_in as ms since the epoch', async (_case, expiresAt, expected) => {
    const result = await processTokenResponse(json(200, { access_token: 'a', expires_at: expiresAt }), NOW)
    expect(result).toMatchObject({ ok: true, tokens: { expires_at: expected } })
  })

  it('prefers expires_in over a provider expires_at (both sent, as Strava does)', async () => {
    const result = await processTokenResponse(json(200, { access_token: 'a', expires_at: 1_900_000_000, expires_in: 21600 }), NOW)
    expect(result).toMatchObject({ ok: true, tokens: { expires_in: 21600, expires_at: NOW + 21_600_000 } })
  })

  it.each([
    ['no access_token', json(200, { token_type: 'Bearer' })],
    ['an empty access_token', json(200, { access_token: '' })],
    ['a numeric access_token', json(200, { access_token: 42 })],
    ['a token_type that is not a string', json(200, { access_token: 'a', token_type: 1 })],
    ['an expires_at that is not a time', json(200, { access_token: 'a', expires_at: 'tomorrow' })],
    ['a negative expires_in', json(200, { access_token: 'a', expires_in: -1 })],
    ['a non-numeric expires_in', json(200, { access_token: 'a', expires_in: '1h' })],
    ['an empty refresh_token', json(200, { access_token: 'a', refresh_token: '' })],
    ['a numeric scope', json(200, { access_token: 'a', scope: 7 })],
    ['a JSON array', json(200, [{ access_token: 'a' }])],
    ['a JSON string', json(200, 'access_token')],
    ['invalid JSON', text(200, '{"access_token":', 'application/json')],
    ['an HTML page', text(200, '<!doctype html><p>Sign in</p>', 'text/html')],
    ['HTML labelled as JSON', text(200, '<html></html>', 'application/json')],
    ['an empty body', text(200, '', 'application/json')],
    ['a repeated form field', text(200, 'access_token=a&access_token=b', 'application/x-www-form-urlencoded')],
    ['plain text', text(200, 'OK', 'text/plain')],
  ])('refuses %s as invalid_response', async (_case, response) => {
    const result = await processTokenResponse(response, NOW)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.failure.kind).toBe('invalid_response')
  })

  it('refuses a body larger than the limit', async () => {
    const big = JSON.stringify({ access_token: 'a', pad: 'x'.repeat(MAX_TOKEN_RESPONSE_BYTES) })
    const result = await processTokenResponse(text(200, big, 'application/json'), NOW)
    expect(result).toEqual({ ok: false, failure: { kind: 'invalid_response', reason: expect.stringContaining('larger') } })
  })

  it.each([
    ['a 400 JSON error', json(400, { error: 'invalid_grant', error_description: 'expired' }), { kind: 'oauth_error', status: 400, error: 'invalid_grant' }],
    ['a 401 invalid_client', json(401, { error: 'invalid_client' }), { kind: 'oauth_error', status: 401, error: 'invalid_client' }],
    ['a 200 with an error (GitHub style)', json(200, { error: 'invalid_grant' }), { kind: 'oauth_error', status: 200, error: 'invalid_grant' }],
    ['a provider-specific error code', json(200, { error: 'bad_verification_code' }), { kind: 'oauth_error', status: 200, error: 'unrecognized_error' }],
    ['a form-encoded error', text(400, 'error=invalid_request', 'application/x-www-form-urlencoded'), { kind: 'oauth_error', status: 400, error: 'invalid_request' }],
    ['an error code with forbidden characters', json(400, { error: 'bad"code\\' }), { kind: 'oauth_error', status: 400, error: 'unrecognized_error' }],
    ['a 500 HTML page', text(500, '<h1>Oops</h1>', 'text/html'), { kind: 'http_error', status: 500, retryAfter: null }],
    ['a 503 with Retry-After', new Response('', { status: 503, headers: { 'Retry-After': '120' } }), { kind: 'http_error', status: 503, retryAfter: '120' }],
    ['a 429', json(429, { message: 'slow down' }), { kind: 'http_error', status: 429, retryAfter: null }],
    ['a 302', new Response(null, { status: 302, headers: { Location: 'https://x' } }), { kind: 'http_error', status: 302, retryAfter: null }],
  ])('reports %s', async (_case, response, failure) => {
    expect(await processTokenResponse(response, NOW)).toEqual({ ok: false, failure })
  })

  it.each([
    ['as the error code', json(400, { error: PRESENTED_TOKEN, error_description: PRESENTED_TOKEN })],
    ['as a form-encoded error code', text(400, `error=${PRESENTED_TOKEN}`, 'application/x-www-form-urlencoded')],
    ['as the Content-Type of an unreadable body', text(200, 'OK', PRESENTED_TOKEN)],
    ['as a repeated form field name', text(200, `${PRESENTED_TOKEN}=a&${PRESENTED_TOKEN}=b`, 'application/x-www-form-urlencoded')],
  ])('S13 a value the server plants %s is not repeated in the failure', async (_case, response) => {
    const result = await processTokenResponse(response, NOW)
    expect(result.ok).toBe(false)
    expect(JSON.stringify(result)).not.toContain(PRESENTED_TOKEN)
  })
})

describe('S11 __proto__ in a token response', () => {
  it.each([
    ['a JSON body', text(200, '{"access_token":"x","__proto__":{"expires_at":12345}}', 'application/json')],
    ['a JSON body with a nested __proto__', text(200, '{"access_token":"x","extra":{"__proto__":{"expires_at":12345}}}', 'application/json')],
    ['a form-encoded body', text(200, 'access_token=x&__proto__=12345', 'application/x-www-form-urlencoded')],
  ])('S11 %s keeps no __proto__ key and an ordinary prototype', async (_case, response) => {
    const result = await processTokenResponse(response, NOW)
    if (!result.ok) throw new Error('expected the response to be accepted')
    const { tokens } = result
    expect(Object.getPrototypeOf(tokens)).toBe(Object.prototype)
    expect(Object.hasOwn(tokens, '__proto__')).toBe(false)
    expect(tokens.expires_at).toBeUndefined()
    expect(JSON.stringify(tokens)).not.toContain('12345')
  })

  it('S11 validateTokenFields copies the fields of a connector result without its own __proto__ key', () => {
    const fields = JSON.parse('{"access_token":"x","__proto__":{"expires_at":12345}}') as Record<string, unknown>
    expect(Object.hasOwn(fields, '__proto__')).toBe(true)
    const result = validateTokenFields(fields, NOW)
    if (!result.ok) throw new Error('expected the fields to be accepted')
    expect(Object.hasOwn(result.tokens, '__proto__')).toBe(false)
    expect(Object.getPrototypeOf(result.tokens)).toBe(Object.prototype)
    expect(result.tokens).toEqual({ access_token: 'x' })
  })
})

describe('S18 expires_in is at most 10 years', () => {
  it.each([
    ['exactly 10 years', MAX_EXPIRES_IN_SECONDS, true],
    ['10 years as a string', String(MAX_EXPIRES_IN_SECONDS), true],
    ['one second more', MAX_EXPIRES_IN_SECONDS + 1, false],
    ['1e300', 1e300, false],
    ['twelve nines as a string', '999999999999', false],
    ['Infinity written as 1e999', '1e999', false],
  ])('S18 expires_in of %s is accepted: %s', async (_case, expiresIn, accepted) => {
    const body =
      typeof expiresIn === 'string' && expiresIn.startsWith('1e') ? `{"access_token":"a","expires_in":${expiresIn}}` : JSON.stringify({ access_token: 'a', expires_in: expiresIn })
    const result = await processTokenResponse(text(200, body, 'application/json'), NOW)
    expect(result.ok).toBe(accepted)
    if (result.ok) expect(result.tokens.expires_at).toBe(NOW + MAX_EXPIRES_IN_SECONDS * 1000)
    else expect(result.failure.kind).toBe('invalid_response')
  })
})

describe('withTokenExpiry', () => {
  const tokens = { access_token: 'a', expires_in: 3600, expires_at: NOW + 3_600_000 }

  it.each([
    ['keeps expires_in but not expires_at', { access_token: 'a', expires_in: 600 }, NOW + 600_000],
    ['keeps neither', { access_token: 'a', realmId: '1' }, NOW + 3_600_000],
    ['writes expires_at in epoch seconds', { access_token: 'a', expires_at: 1_900_000_000 }, 1_900_000_000_000],
    ['writes expires_at in ms', { access_token: 'a', expires_at: NOW + 5 }, NOW + 5],
  ])('a custom extractor that %s still stores an expiry in ms', (_case, credentials, expected) => {
    expect(withTokenExpiry(credentials, tokens, NOW)).toMatchObject({ ...credentials, expires_at: expected })
  })

  it('leaves credentials without expiry when the token response had none either', () => {
    expect(withTokenExpiry({ access_token: 'a' }, { access_token: 'a' }, NOW)).toEqual({ access_token: 'a' })
  })
})
