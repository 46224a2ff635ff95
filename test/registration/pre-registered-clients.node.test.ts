/**
 * MCP_CLIENTS, the operator's pre-registered clients (src/registration/pre-registered-clients.ts):
 * parsed strictly, looked up by exact issuer, and never quoting a secret in its errors.
 */
import { describe, expect, it } from 'vitest'
import { LatchkeyError } from '../../src/errors.ts'
import { parsePreRegisteredClients } from '../../src/registration/pre-registered-clients.ts'

const SECRET = 'pre-registered-secret-never-quoted'
const ISSUER = 'https://auth.example.com'

function refusal(raw: string): LatchkeyError {
  try {
    parsePreRegisteredClients(raw)
  } catch (error) {
    expect(error).toBeInstanceOf(LatchkeyError)
    return error as LatchkeyError
  }
  throw new Error('MCP_CLIENTS was accepted')
}

describe('parsePreRegisteredClients', () => {
  it.each([[undefined], [''], ['  ']])('reads %j as no clients', (raw) => {
    expect(parsePreRegisteredClients(raw).size).toBe(0)
  })

  it('applies the method defaults: client_secret_basic with a secret, none without', () => {
    const clients = parsePreRegisteredClients(
      JSON.stringify({
        [ISSUER]: { clientId: 'confidential', clientSecret: SECRET },
        'https://public.example.com/tenant': { clientId: 'public' },
        'https://post.example.com': { clientId: 'posting', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_post' },
        'https://nulled.example.com': { clientId: 'nulled', clientSecret: null },
      }),
    )
    expect(clients.get(ISSUER)).toEqual({ clientId: 'confidential', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' })
    expect(clients.get('https://public.example.com/tenant')).toEqual({ clientId: 'public', clientSecret: null, tokenEndpointAuthMethod: 'none' })
    expect(clients.get('https://post.example.com')).toEqual({ clientId: 'posting', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_post' })
    expect(clients.get('https://nulled.example.com')).toEqual({ clientId: 'nulled', clientSecret: null, tokenEndpointAuthMethod: 'none' })
  })

  it('matches issuers exactly: no trailing-slash or case folding, nothing inherited', () => {
    const clients = parsePreRegisteredClients(JSON.stringify({ [ISSUER]: { clientId: 'c' } }))
    expect(clients.get(`${ISSUER}/`)).toBeUndefined()
    expect(clients.get('https://AUTH.example.com')).toBeUndefined()
    expect(clients.get('constructor')).toBeUndefined()
    expect(clients.get('__proto__')).toBeUndefined()
  })

  it.each<[string, string]>([
    ['not JSON', '{"https://auth.example.com": '],
    ['a JSON array', JSON.stringify([{ clientId: 'c' }])],
    ['a JSON string', JSON.stringify('https://auth.example.com')],
    ['a key that is not a URL', JSON.stringify({ 'auth.example.com': { clientId: 'c' } })],
    ['an entry that is not an object', JSON.stringify({ [ISSUER]: 'c' })],
    ['an entry without clientId', JSON.stringify({ [ISSUER]: { clientSecret: SECRET } })],
    ['an empty clientId', JSON.stringify({ [ISSUER]: { clientId: '', clientSecret: SECRET } })],
    ['a clientId with a control character', JSON.stringify({ [ISSUER]: { clientId: 'c\u0000', clientSecret: SECRET } })],
    ['an unknown field (a snake_case typo)', JSON.stringify({ [ISSUER]: { clientId: 'c', client_secret: SECRET } })],
    ['a secret that is not a string', JSON.stringify({ [ISSUER]: { clientId: 'c', clientSecret: 42 } })],
    ['an empty secret', JSON.stringify({ [ISSUER]: { clientId: 'c', clientSecret: '' } })],
    ['an unknown method', JSON.stringify({ [ISSUER]: { clientId: 'c', clientSecret: SECRET, tokenEndpointAuthMethod: 'private_key_jwt' } })],
    ['a secret with method none', JSON.stringify({ [ISSUER]: { clientId: 'c', clientSecret: SECRET, tokenEndpointAuthMethod: 'none' } })],
    ['a secret-based method without a secret', JSON.stringify({ [ISSUER]: { clientId: 'c', tokenEndpointAuthMethod: 'client_secret_post' } })],
    ['a __proto__ entry that is not a client', `{"__proto__": {"clientSecret": "${SECRET}"}}`],
  ])('refuses %s as server_misconfigured, naming the variable and never the secret', (_name, raw) => {
    const error = refusal(raw)
    expect(error.code).toBe('server_misconfigured')
    expect(error.message).toContain('MCP_CLIENTS')
    expect(error.message).not.toContain(SECRET)
  })
})
