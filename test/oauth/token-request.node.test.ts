import { describe, expect, it } from 'vitest'
import type { OAuthConfig } from '../../src/oauth/oauth-config.ts'
import { basicAuthorization, buildTokenRequest, formUrlEncode } from '../../src/oauth/token-request.ts'

const SECRET = 'se:cr&t+ va%lue'

function config(overrides: Partial<OAuthConfig> = {}): OAuthConfig {
  return {
    clientId: 'client id:1',
    clientSecret: SECRET,
    authorizeUri: 'https://auth.example/authorize',
    tokenUri: 'https://auth.example/token',
    scopes: [],
    noRefreshToken: false,
    skipPkce: false,
    extra: {},
    ...overrides,
  }
}

async function form(request: Request): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams(await request.text()))
}

describe('buildTokenRequest', () => {
  it('is a form POST to the token endpoint asking for JSON', async () => {
    const request = buildTokenRequest(config(), { grant_type: 'authorization_code', code: 'c', redirect_uri: 'https://l.test/oauth/callback' })
    expect(request.method).toBe('POST')
    expect(request.url).toBe('https://auth.example/token')
    expect(request.headers.get('Accept')).toBe('application/json')
    expect(request.headers.get('Content-Type')).toBe('application/x-www-form-urlencoded;charset=UTF-8')
    expect(await form(request)).toMatchObject({ grant_type: 'authorization_code', code: 'c', redirect_uri: 'https://l.test/oauth/callback' })
  })

  it('S9 Basic credentials are form-urlencoded before base64', () => {
    expect(formUrlEncode(SECRET)).toBe('se%3Acr%26t%2B+va%25lue')
    const header = basicAuthorization('client id:1', SECRET)
    expect(header).toBe(`Basic ${btoa('client+id%3A1:se%3Acr%26t%2B+va%25lue')}`)
    const decoded = atob(header.slice(6))
    const [id = '', secret = ''] = decoded.split(':')
    const formDecode = (value: string): string => decodeURIComponent(value.replace(/\+/g, ' '))
    expect([formDecode(id), formDecode(secret)]).toEqual(['client id:1', SECRET])
  })

  it('S9 clientAuthLocation headers sends Basic only', async () => {
    const request = buildTokenRequest(config({ clientAuthLocation: 'headers' }), { grant_type: 'refresh_token', refresh_token: 'r' })
    expect(request.headers.get('Authorization')).toBe(basicAuthorization('client id:1', SECRET))
    expect(await form(request)).toEqual({ grant_type: 'refresh_token', refresh_token: 'r' })
  })

  it('S9 clientAuthLocation body sends form fields only', async () => {
    const request = buildTokenRequest(config({ clientAuthLocation: 'body' }), { grant_type: 'refresh_token', refresh_token: 'r' })
    expect(request.headers.get('Authorization')).toBeNull()
    expect(await form(request)).toEqual({ grant_type: 'refresh_token', refresh_token: 'r', client_id: 'client id:1', client_secret: SECRET })
  })

  it('S9 sends both when clientAuthLocation is not specified (the seed rule)', async () => {
    const request = buildTokenRequest(config(), { grant_type: 'refresh_token', refresh_token: 'r' })
    expect(request.headers.get('Authorization')).toBe(basicAuthorization('client id:1', SECRET))
    expect(await form(request)).toMatchObject({ client_id: 'client id:1', client_secret: SECRET })
  })

  it('a public client (no secret) sends client_id in the body and no Authorization', async () => {
    const { clientSecret: _secret, ...publicClient } = config({ clientAuthLocation: 'headers' })
    const request = buildTokenRequest(publicClient, { grant_type: 'authorization_code', code: 'c' })
    expect(request.headers.get('Authorization')).toBeNull()
    expect(await form(request)).toEqual({ grant_type: 'authorization_code', code: 'c', client_id: 'client id:1' })
  })
})
