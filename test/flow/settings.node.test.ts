/**
 * PUBLIC_BASE_URL and the one redirect URI (S5, S10): https, or http on a loopback host only
 * with ALLOW_INSECURE_LOOPBACK="true"; a trailing slash never doubles the callback's slash.
 */
import { describe, expect, it } from 'vitest'
import { LatchkeyError } from '../../src/errors.ts'
import { allowedReturnOriginsOf, redirectUriOf } from '../../src/flow/settings.ts'

function redirectUriFor(publicBaseUrl: string, allowInsecureLoopback?: string): string {
  const env = { PUBLIC_BASE_URL: publicBaseUrl, ALLOW_INSECURE_LOOPBACK: allowInsecureLoopback } as unknown as Env
  try {
    return redirectUriOf(env)
  } catch (error) {
    return error instanceof LatchkeyError ? error.code : 'unexpected'
  }
}

describe('redirectUriOf', () => {
  it.each([
    ['an https origin', 'https://latchkey.example.com', undefined, 'https://latchkey.example.com/oauth/callback'],
    ['an https origin with a trailing slash', 'https://latchkey.example.com/', undefined, 'https://latchkey.example.com/oauth/callback'],
    ['http://localhost with ALLOW_INSECURE_LOOPBACK', 'http://localhost:8787', 'true', 'http://localhost:8787/oauth/callback'],
    ['http://127.0.0.1 with ALLOW_INSECURE_LOOPBACK', 'http://127.0.0.1:8787/', 'true', 'http://127.0.0.1:8787/oauth/callback'],
    ['http://localhost without ALLOW_INSECURE_LOOPBACK', 'http://localhost:8787', undefined, 'server_misconfigured'],
    ['http://localhost with ALLOW_INSECURE_LOOPBACK="false"', 'http://localhost:8787', 'false', 'server_misconfigured'],
    ['http on a public host, even with ALLOW_INSECURE_LOOPBACK', 'http://latchkey.example.com', 'true', 'server_misconfigured'],
    ['a path', 'https://latchkey.example.com/latchkey', undefined, 'server_misconfigured'],
    ['no URL', 'latchkey.example.com', undefined, 'server_misconfigured'],
  ])('S10 PUBLIC_BASE_URL as %s', (_case, publicBaseUrl, allowInsecureLoopback, expected) => {
    expect(redirectUriFor(publicBaseUrl, allowInsecureLoopback)).toBe(expected)
  })
})

describe('allowedReturnOriginsOf', () => {
  it('S8 allows the listed origins and the Worker\'s own origin, nothing else', () => {
    const env = {
      PUBLIC_BASE_URL: 'https://latchkey.example.com/',
      ALLOWED_RETURN_ORIGINS: 'https://app.example.com, https://admin.example.com',
    } as unknown as Env
    expect([...allowedReturnOriginsOf(env)].sort()).toEqual(['https://admin.example.com', 'https://app.example.com', 'https://latchkey.example.com'])
  })
})
