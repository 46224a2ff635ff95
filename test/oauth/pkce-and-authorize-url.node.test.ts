import { describe, expect, it } from 'vitest'
import { buildAuthorizeUrl } from '../../src/oauth/authorize-url.ts'
import type { OAuthConfig } from '../../src/oauth/oauth-config.ts'
import { s256CodeChallenge } from '../../src/oauth/pkce.ts'
import { randomToken } from '../../src/random-token.ts'

const CONFIG: OAuthConfig = {
  clientId: 'client',
  authorizeUri: 'https://auth.example/authorize?tenant=common&response_type=token',
  tokenUri: 'https://auth.example/token',
  scopes: ['openid', 'email'],
  noRefreshToken: false,
  skipPkce: false,
  extra: { prompt: 'consent', state: 'attacker', code_challenge_method: 'plain' },
}

describe('PKCE', () => {
  it('S4 code_challenge is the S256 of the verifier (RFC 7636 Appendix B)', async () => {
    expect(await s256CodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
  })

  it('S1 S4 random tokens are 32 bytes base64url (43 chars) and unique', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => randomToken()))
    expect(tokens.size).toBe(200)
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})

describe('buildAuthorizeUrl', () => {
  it('S16 builds a code-flow request; extra cannot override protocol parameters', () => {
    const url = buildAuthorizeUrl(CONFIG, { redirectUri: 'https://l.test/oauth/callback', state: 's', codeChallenge: 'c' })
    expect(url.origin + url.pathname).toBe('https://auth.example/authorize')
    expect([...url.searchParams]).toEqual([
      ['tenant', 'common'],
      ['response_type', 'code'],
      ['client_id', 'client'],
      ['redirect_uri', 'https://l.test/oauth/callback'],
      ['scope', 'openid email'],
      ['state', 's'],
      ['code_challenge', 'c'],
      ['code_challenge_method', 'S256'],
      ['prompt', 'consent'],
    ])
  })

  it("sends extra.scope as given when scopes is empty (Slack's comma-separated scopes), and user_scope beside it", () => {
    const url = buildAuthorizeUrl(
      { ...CONFIG, scopes: [], extra: { scope: 'chat:write,channels:read', user_scope: 'search:read' } },
      { redirectUri: 'https://l.test/cb', state: 's', codeChallenge: null },
    )
    expect(url.searchParams.getAll('scope')).toEqual(['chat:write,channels:read'])
    expect(url.searchParams.get('user_scope')).toBe('search:read')
  })

  it('S4 omits PKCE only without a challenge (skipPkce) and scope when there are none', () => {
    const url = buildAuthorizeUrl({ ...CONFIG, scopes: [], extra: {} }, { redirectUri: 'https://l.test/cb', state: 's', codeChallenge: null })
    expect(url.searchParams.has('code_challenge')).toBe(false)
    expect(url.searchParams.has('code_challenge_method')).toBe(false)
    expect(url.searchParams.has('scope')).toBe(false)
  })
})
