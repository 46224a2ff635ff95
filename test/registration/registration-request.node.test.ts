/**
 * Dynamic client registration's trust boundary (src/registration/registration-request.ts): the
 * RFC 7591 request Latchkey sends, the method it registers with, and every answer it refuses.
 * Responses are built in memory: processing is pure, the network lives elsewhere.
 */
import { describe, expect, it } from 'vitest'
import { MAX_DISCOVERY_BODY_BYTES } from '../../src/discovery/discovery-fetch.ts'
import { LatchkeyError } from '../../src/errors.ts'
import { MAX_CLIENT_ID_LENGTH, chooseTokenEndpointAuthMethod, processRegistrationResponse, registrationRequest } from '../../src/registration/registration-request.ts'

const NOW = Date.UTC(2026, 9, 1)
const SECRET = 'registration-secret-must-never-be-quoted'

function jsonResponse(body: unknown, status = 201, contentType = 'application/json'): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': contentType } })
}

async function refusal(response: Response, requested: 'client_secret_basic' | 'none' = 'client_secret_basic'): Promise<LatchkeyError> {
  const error = await processRegistrationResponse(response, requested, NOW).then(
    () => null,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(LatchkeyError)
  return error as LatchkeyError
}

describe('chooseTokenEndpointAuthMethod', () => {
  it.each([
    [[], 'client_secret_basic'],
    [['client_secret_basic'], 'client_secret_basic'],
    [['none', 'client_secret_post', 'client_secret_basic'], 'client_secret_basic'],
    [['private_key_jwt', 'client_secret_post', 'none'], 'client_secret_post'],
    [['none'], 'none'],
    [['private_key_jwt', 'none'], 'none'],
    [['private_key_jwt', 'tls_client_auth'], null],
  ])('picks from %j: %s', (supported, expected) => {
    expect(chooseTokenEndpointAuthMethod(supported)).toBe(expected)
  })
})

describe('registrationRequest', () => {
  it('posts the RFC 7591 client metadata as JSON, with refresh_token and application_type (MCP 2026-07-28)', () => {
    const request = registrationRequest({ clientName: 'Acme', redirectUri: 'https://latchkey.example.com/oauth/callback', tokenEndpointAuthMethod: 'client_secret_post' })
    expect(request.method).toBe('POST')
    expect(request.headers).toEqual({ 'Content-Type': 'application/json', Accept: 'application/json' })
    expect(JSON.parse(request.body ?? '')).toEqual({
      client_name: 'Acme',
      redirect_uris: ['https://latchkey.example.com/oauth/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      application_type: 'web',
      token_endpoint_auth_method: 'client_secret_post',
    })
  })
})

describe('processRegistrationResponse accepts', () => {
  it('a 201 confidential client, reading the expiry in seconds', async () => {
    const expiresAt = NOW / 1000 + 86_400
    const client = await processRegistrationResponse(
      jsonResponse({ client_id: 'c-1', client_secret: SECRET, client_secret_expires_at: expiresAt, token_endpoint_auth_method: 'client_secret_basic' }),
      'client_secret_basic',
      NOW,
    )
    expect(client).toEqual({ clientId: 'c-1', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic', clientSecretExpiresAt: expiresAt * 1000 })
  })

  it.each([[0], [undefined]])('a 200 with client_secret_expires_at %s as a secret that never expires, and the requested method when none is echoed', async (expiresAt) => {
    const client = await processRegistrationResponse(
      jsonResponse({ client_id: 'c-2', client_secret: SECRET, client_secret_expires_at: expiresAt }, 200, 'application/json; charset=utf-8'),
      'client_secret_basic',
      NOW,
    )
    expect(client).toEqual({ clientId: 'c-2', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic', clientSecretExpiresAt: null })
  })

  it("the server's method over the requested one", async () => {
    const client = await processRegistrationResponse(
      jsonResponse({ client_id: 'c-3', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' }),
      'client_secret_basic',
      NOW,
    )
    expect(client.tokenEndpointAuthMethod).toBe('client_secret_post')
  })

  it('a public client, keeping no secret even when one is sent', async () => {
    const client = await processRegistrationResponse(jsonResponse({ client_id: 'c-4', client_secret: SECRET, token_endpoint_auth_method: 'none' }), 'none', NOW)
    expect(client).toEqual({ clientId: 'c-4', clientSecret: null, tokenEndpointAuthMethod: 'none', clientSecretExpiresAt: null })
  })
})

describe('processRegistrationResponse refuses', () => {
  it.each<[string, () => Response]>([
    ['a 201 that is not JSON', () => jsonResponse('{"client_id":', 201)],
    ['a 201 that is a JSON array', () => jsonResponse([{ client_id: 'c' }])],
    ['a 201 of another media type', () => jsonResponse({ client_id: 'c', client_secret: SECRET }, 201, 'text/plain')],
    ['a 201 without client_id', () => jsonResponse({ client_secret: SECRET })],
    ['an empty client_id', () => jsonResponse({ client_id: '', client_secret: SECRET })],
    ['a numeric client_id', () => jsonResponse({ client_id: 42, client_secret: SECRET })],
    ['a client_id with a control character', () => jsonResponse({ client_id: 'c\n1', client_secret: SECRET })],
    ['an overlong client_id', () => jsonResponse({ client_id: 'c'.repeat(MAX_CLIENT_ID_LENGTH + 1), client_secret: SECRET })],
    ['a confidential client without client_secret', () => jsonResponse({ client_id: 'c' })],
    ['an empty client_secret', () => jsonResponse({ client_id: 'c', client_secret: '' })],
    ['a method Latchkey does not speak', () => jsonResponse({ client_id: 'c', client_secret: SECRET, token_endpoint_auth_method: 'private_key_jwt' })],
    ['an expiry that is not a number', () => jsonResponse({ client_id: 'c', client_secret: SECRET, client_secret_expires_at: '1999999999' })],
    ['a fractional expiry', () => jsonResponse({ client_id: 'c', client_secret: SECRET, client_secret_expires_at: NOW / 1000 + 0.5 })],
    ['a secret that has already expired', () => jsonResponse({ client_id: 'c', client_secret: SECRET, client_secret_expires_at: NOW / 1000 - 1 })],
    ['a 202 (only 201 and 200 carry a client)', () => jsonResponse({ client_id: 'c', client_secret: SECRET }, 202)],
  ])('%s', async (_name, response) => {
    const error = await refusal(response())
    expect(error.code).toBe('client_registration_failed')
    expect(error.message).not.toContain(SECRET)
  })

  it('a body over the size limit, unread', async () => {
    const error = await refusal(jsonResponse({ client_id: 'c', client_secret: SECRET, padding: 'x'.repeat(MAX_DISCOVERY_BODY_BYTES) }))
    expect(error.code).toBe('client_registration_failed')
  })

  it('an RFC 7591 error response, quoting its status and error code but never its description', async () => {
    const error = await refusal(jsonResponse({ error: 'invalid_redirect_uri', error_description: `rejected ${SECRET}` }, 400))
    expect(error.code).toBe('client_registration_failed')
    expect(error.message).toContain('HTTP 400 (invalid_redirect_uri)')
    expect(error.message).not.toContain(SECRET)
  })

  it('an error response whose error code is not plain, quoting only the status', async () => {
    const error = await refusal(jsonResponse({ error: `<b>${SECRET}</b>` }, 403))
    expect(error.message).toContain('HTTP 403.')
    expect(error.message).not.toContain(SECRET)
  })
})
