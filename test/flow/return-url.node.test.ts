import { describe, expect, it } from 'vitest'
import { LatchkeyError } from '../../src/errors.ts'
import { checkReturnUrl } from '../../src/flow/return-url.ts'
import { parseAllowedOrigins } from '../../src/settings.ts'

const ALLOWED = parseAllowedOrigins('https://app.example.com, http://localhost:5173 ,not a url,https://with.path/x')

function refusal(raw: string): string | null {
  try {
    checkReturnUrl(raw, ALLOWED)
    return null
  } catch (error) {
    return error instanceof LatchkeyError ? error.code : 'unexpected'
  }
}

describe('return URL allowlist (S8)', () => {
  it('parses only exact origins from ALLOWED_RETURN_ORIGINS', () => {
    expect([...ALLOWED]).toEqual(['https://app.example.com', 'http://localhost:5173'])
  })

  it.each([
    'https://app.example.com',
    'https://app.example.com/',
    'https://app.example.com/settings?tab=1#x',
    'HTTPS://APP.EXAMPLE.COM/path',
    'https://app.example.com:443/path',
    'http://localhost:5173/cb',
  ])('S8 accepts %s', (raw) => {
    expect(refusal(raw)).toBeNull()
  })

  it.each([
    ['scheme-relative', '//evil.example/x'],
    ['backslash path', '/\\evil.example'],
    ['backslash authority', 'https:\\\\evil.example'],
    ['scheme without slashes', 'https:evil.example'],
    ['scheme with one slash', 'https:/evil.example'],
    ['relative path', '/settings'],
    ['javascript', 'javascript:alert(1)'],
    ['javascript with allowed origin text', 'javascript://app.example.com/%0aalert(1)'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
    ['userinfo to another host', 'https://app.example.com@evil.example/'],
    ['userinfo on the allowed host', 'https://user:pass@app.example.com/'],
    ['encoded at sign', 'https://app.example.com%40evil.example/'],
    ['another origin', 'https://evil.example/'],
    ['a suffix domain', 'https://app.example.com.evil.example/'],
    ['a subdomain', 'https://sub.app.example.com/'],
    ['another scheme', 'http://app.example.com/'],
    ['another port', 'https://app.example.com:8443/'],
    ['leading space', ' https://app.example.com/'],
    ['tab inside', 'https://app.exa\tmple.com/'],
    ['newline inside', 'https://app.example.com/\nx'],
    ['ftp', 'ftp://app.example.com/'],
    ['empty', ''],
    ['too long', `https://app.example.com/${'a'.repeat(3000)}`],
  ])('S8 rejects %s', (_case, raw) => {
    expect(refusal(raw)).toBe('return_url_not_allowed')
  })
})
