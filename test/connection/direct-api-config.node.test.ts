/** What a caller's direct proxy may be handed (pure): only configurations it can apply exactly as Latchkey would. */
import { describe, expect, it } from 'vitest'
import { credentialsVersion, directApiClientConfig } from '../../src/connection/direct-api-config.ts'

const config = { baseUri: 'https://api.example.com/v1', headers: { Authorization: 'Basic dTpw' }, query: { key: 'k' }, auth: { username: 'u', password: 'p' } }

describe('directApiClientConfig', () => {
  it('hands out baseUri, headers and query (Basic auth is already a header), not the auth pair', () => {
    expect(directApiClientConfig({ kind: 'config', config, responseHandlers: null }, 'client-credentials', 'v1', 123)).toEqual({
      direct: true,
      baseUri: 'https://api.example.com/v1',
      headers: { Authorization: 'Basic dTpw' },
      query: { key: 'k' },
      version: 'v1',
      expiresAt: 123,
    })
  })

  it.each([
    ['an OAuth 1.0a connection (signed per request)', { kind: 'config' as const, config, responseHandlers: null }, 'oauth1'],
    ['response handlers', { kind: 'config' as const, config, responseHandlers: () => [] }, 'oauth2'],
    ['a ready client object', { kind: 'client' as const, client: {} }, 'oauth2'],
  ])('refuses %s: the caller uses proxy', (_name, resolved, authType) => {
    expect(directApiClientConfig(resolved, authType, 'v1', null)).toEqual({ direct: false, reason: expect.stringContaining('proxy') })
  })
})

describe('credentialsVersion', () => {
  it('is stable for the same credentials and differs for others, without revealing them', async () => {
    const a = await credentialsVersion({ access_token: 'token-a' })
    expect(await credentialsVersion({ access_token: 'token-a' })).toBe(a)
    expect(await credentialsVersion({ access_token: 'token-b' })).not.toBe(a)
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(a).not.toContain('token')
  })
})
