import { describe, expect, it } from 'vitest'
import { isLatchkeyError } from '../../src/errors.ts'
import { parseOAuth1TokenResponse, readOAuth1TokenResponse } from '../../src/oauth1/token-response.ts'

const TOKEN = 'tok-DO-NOT-QUOTE'
const SECRET = 'sec-DO-NOT-QUOTE'

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    // S13, S23: no token or secret of the body ever reaches a message.
    expect(error.message).not.toContain('DO-NOT-QUOTE')
    return { code: error.code, message: error.message }
  }
  throw new Error('expected a failure')
}

const form = (body: string, status = 200, contentType = 'application/x-www-form-urlencoded'): Response => new Response(body, { status, headers: { 'Content-Type': contentType } })

describe('S23 token responses are validated before use', () => {
  it('keeps oauth_token, oauth_token_secret and the other fields, decoded', async () => {
    const response = await readOAuth1TokenResponse(form(`oauth_token=${TOKEN}&oauth_token_secret=${SECRET}&user_id=42&screen_name=a+b%21`), 'access token')
    expect(response).toEqual({ oauth_token: TOKEN, oauth_token_secret: SECRET, user_id: '42', screen_name: 'a b!' })
  })

  it('reads a body whose content type is wrong but whose content is form-encoded (text/html, as some providers send)', async () => {
    const response = await readOAuth1TokenResponse(form(`oauth_token=${TOKEN}&oauth_token_secret=${SECRET}\n`, 200, 'text/html; charset=utf-8'), 'request token')
    expect(response.oauth_token).toBe(TOKEN)
  })

  it.each([
    ['no oauth_token', `oauth_token_secret=${SECRET}`, 'without oauth_token'],
    ['an empty oauth_token', `oauth_token=&oauth_token_secret=${SECRET}`, 'without oauth_token'],
    ['no oauth_token_secret', `oauth_token=${TOKEN}`, 'without oauth_token_secret'],
    ['a repeated field', `oauth_token=${TOKEN}&oauth_token=${TOKEN}2&oauth_token_secret=${SECRET}`, '"oauth_token" more than once'],
    ['a malformed percent-encoding', `oauth_token=${TOKEN}%zz&oauth_token_secret=${SECRET}`, 'malformed'],
  ])('refuses %s', async (_name, body, expected) => {
    const { code, message } = await failureOf(readOAuth1TokenResponse(form(body), 'access token'))
    expect(code).toBe('token_exchange_failed')
    expect(message).toContain(expected)
  })

  it('refuses a non-200 answer, naming a well-formed oauth_problem but nothing else of the body', async () => {
    const { code, message } = await failureOf(readOAuth1TokenResponse(form(`oauth_problem=token_rejected&oauth_token=${TOKEN}`, 401), 'access token'))
    expect(code).toBe('token_exchange_failed')
    expect(message).toContain('HTTP 401 (oauth_problem=token_rejected)')
    const odd = await failureOf(readOAuth1TokenResponse(form(`oauth_problem=${SECRET}`, 400), 'access token'))
    expect(odd.message).toContain('HTTP 400.')
  })

  it('refuses a 2xx other than 200, a JSON answer and an oversized body', async () => {
    expect((await failureOf(readOAuth1TokenResponse(form(`oauth_token=${TOKEN}&oauth_token_secret=${SECRET}`, 201), 'request token'))).message).toContain('HTTP 201')
    const json = await failureOf(readOAuth1TokenResponse(form(JSON.stringify({ oauth_token: TOKEN, oauth_token_secret: SECRET }), 200, 'application/json'), 'access token'))
    expect(json.message).toContain('JSON')
    const huge = await failureOf(readOAuth1TokenResponse(form(`oauth_token=${TOKEN}&oauth_token_secret=${SECRET}&pad=${'x'.repeat(20_000)}`), 'access token'))
    expect(huge.message).toContain('over')
  })

  it('names the exchange that failed', () => {
    expect(() => parseOAuth1TokenResponse('', 'request token')).toThrow(/request token endpoint/)
    expect(() => parseOAuth1TokenResponse('', 'access token')).toThrow(/access token endpoint/)
  })
})
