/**
 * The deployment settings (src/settings.ts): PUBLIC_BASE_URL and the one redirect URI (S5,
 * S10), the return-origin allowlist (S8), the tuning variables, and how they are read: once per
 * `env`, an empty variable as unset, a bad PUBLIC_BASE_URL failing only where it is used.
 */
import { describe, expect, it } from 'vitest'
import { LatchkeyError } from '../../src/errors.ts'
import { DEFAULT_API_RETRY, DEFAULT_REFRESH_RETRY, readSettings } from '../../src/settings.ts'

/** An `env` holding only `variables`, as a test Worker would be configured. */
function environment(variables: Record<string, unknown>): Env {
  return variables as unknown as Env
}

function redirectUriFor(publicBaseUrl: string, allowInsecureLoopback?: string): string {
  const env = environment({ PUBLIC_BASE_URL: publicBaseUrl, ALLOW_INSECURE_LOOPBACK: allowInsecureLoopback })
  try {
    return readSettings(env).redirectUri
  } catch (error) {
    return error instanceof LatchkeyError ? error.code : 'unexpected'
  }
}

describe('redirectUri', () => {
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

  it('S10 a bad PUBLIC_BASE_URL fails only the settings that are built from it', () => {
    const settings = readSettings(environment({ PUBLIC_BASE_URL: 'latchkey.example.com', TOKEN_REQUEST_TIMEOUT_MS: '2500' }))
    expect(settings.tokenRequestTimeoutMs).toBe(2500)
    expect(() => settings.publicOrigin).toThrow(LatchkeyError)
    expect(() => settings.allowedReturnOrigins).toThrow(LatchkeyError)
  })
})

describe('allowedReturnOrigins', () => {
  it("S8 allows the listed origins and the Worker's own origin, nothing else", () => {
    const env = environment({
      PUBLIC_BASE_URL: 'https://latchkey.example.com/',
      ALLOWED_RETURN_ORIGINS: 'https://app.example.com, https://admin.example.com',
    })
    expect([...readSettings(env).allowedReturnOrigins].sort()).toEqual(['https://admin.example.com', 'https://app.example.com', 'https://latchkey.example.com'])
  })
})

describe('tuning variables', () => {
  it.each([
    ['unset', undefined, 10_000],
    ['empty (as wrangler.toml declares it)', '', 10_000],
    ['set to 2500', '2500', 2500],
    ['set to 0', '0', 1],
    ['set to a word', 'soon', 10_000],
    ['set to a negative number', '-5', 10_000],
    ['set to a fraction', '1.5', 10_000],
  ])('TOKEN_REQUEST_TIMEOUT_MS %s gives every token request, exchange and refresh alike, a timeout of %i ms', (_case, value, expected) => {
    const settings = readSettings(environment(value === undefined ? {} : { TOKEN_REQUEST_TIMEOUT_MS: value }))
    expect(settings.tokenRequestTimeoutMs).toBe(expected)
    expect(settings.refreshRetry.requestTimeoutMs).toBe(expected)
  })

  it('keeps the defaults when the retry variables are empty or not whole numbers', () => {
    const settings = readSettings(environment({ REFRESH_MAX_ATTEMPTS: '', REFRESH_RETRY_BASE_DELAY_MS: 'fast', API_RETRY_BASE_DELAY_MS: '-1', API_RATE_LIMIT_MAX_WAIT_MS: '' }))
    expect(settings.refreshRetry).toEqual(DEFAULT_REFRESH_RETRY)
    expect(settings.apiRetry).toEqual(DEFAULT_API_RETRY)
  })

  it('reads the retry variables, with at least one refresh attempt', () => {
    const settings = readSettings(
      environment({
        REFRESH_MAX_ATTEMPTS: '0',
        REFRESH_RETRY_BASE_DELAY_MS: '1',
        REFRESH_RETRY_MAX_DELAY_MS: '20',
        API_RETRY_BASE_DELAY_MS: '5',
        API_RATE_LIMIT_MAX_WAIT_MS: '1000',
      }),
    )
    expect(settings.refreshRetry).toEqual({ maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 20, requestTimeoutMs: 10_000 })
    expect(settings.apiRetry).toEqual({ baseDelayMs: 5, maxWaitMs: 1000 })
  })
})

describe('optional settings', () => {
  it('treats an empty optional variable as unset, as wrangler.toml declares them', () => {
    const settings = readSettings(environment({ CREDENTIALS_KEYS: '{}', CREDENTIALS_KEY_ID: '', EVENTS_WEBHOOK_URL: '', EVENTS_WEBHOOK_SECRET: '' }))
    expect(settings.credentialKeys).toEqual({ keys: '{}', currentKeyId: undefined })
    expect(settings.events).toEqual({ webhookUrl: undefined, webhookSecret: undefined, queue: undefined })
  })

  it('takes EVENTS_QUEUE only when it is a queue binding', () => {
    const queue = { send: async () => undefined }
    expect(readSettings(environment({ EVENTS_QUEUE: queue })).events.queue).toBe(queue)
    expect(readSettings(environment({ EVENTS_QUEUE: 'not a binding' })).events.queue).toBeUndefined()
  })

  it('lists every string variable, empty ones included, for connector parameters', () => {
    const settings = readSettings(environment({ GOOGLE__CLIENT_ID: 'id', GOOGLE__EXTRA: '', CONNECTIONS: {} }))
    expect([...settings.variables]).toEqual([
      ['GOOGLE__CLIENT_ID', 'id'],
      ['GOOGLE__EXTRA', ''],
    ])
  })
})

describe('readSettings', () => {
  it('reads an env once: the same object gives the same settings, another object its own', () => {
    const env = environment({ PUBLIC_BASE_URL: 'https://latchkey.example.com' })
    expect(readSettings(env)).toBe(readSettings(env))
    expect(readSettings({ ...env } as Env)).not.toBe(readSettings(env))
  })
})
