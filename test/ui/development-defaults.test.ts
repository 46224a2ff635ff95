/**
 * The committed development defaults (src/ui/development-defaults.ts) work only for a local
 * demo: the Worker refuses every request while one is configured, unless both PUBLIC_BASE_URL
 * and the request are on a loopback host.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { DEVELOPMENT_DEFAULT_MARKER } from '../../src/ui/development-defaults.ts'
import { Browser } from '../support/browser.ts'
import { errorCodeOf } from '../support/error-code.ts'

const DEV_SECRET = `${DEVELOPMENT_DEFAULT_MARKER}-connect-token-secret`

function environment(overrides: Record<string, string>): Env {
  return { ...env, ...overrides } as unknown as Env
}

describe('development defaults', () => {
  it.each([
    ['CONNECT_TOKEN_SECRET', DEV_SECRET],
    ['CREDENTIALS_KEYS', JSON.stringify({ [`${DEVELOPMENT_DEFAULT_MARKER}-key`]: btoa('x'.repeat(32)) })],
    ['DEMO__CLIENT_SECRET', `${DEVELOPMENT_DEFAULT_MARKER}-demo-client-secret`],
  ])('the Worker refuses to serve with a development default in %s on a public origin', async (variable, value) => {
    const deployed = environment({ PUBLIC_BASE_URL: 'https://latchkey.example.com', [variable]: value })
    for (const path of ['/connections?token=x', '/connect/test-oauth?token=x', '/oauth/callback?state=x&code=y']) {
      const response = await new Browser({ env: deployed }).get(`https://latchkey.example.com${path}`)
      expect(response.status, path).toBe(500)
      expect(await errorCodeOf(response)).toBe('server_misconfigured')
      expect(await response.text()).toContain(variable)
    }
  })

  it('the Worker refuses a development default when it is reached on a public host, whatever PUBLIC_BASE_URL says', async () => {
    const misconfigured = environment({ PUBLIC_BASE_URL: 'http://localhost:8787', CONNECT_TOKEN_SECRET: DEV_SECRET })
    const response = await new Browser({ env: misconfigured }).get('https://latchkey.example.com/connections')
    expect(response.status).toBe(500)
    expect(await errorCodeOf(response)).toBe('server_misconfigured')
  })

  it.each(['http://localhost:8787', 'http://127.0.0.1:8787'])('the local demo on %s serves with the development defaults', async (origin) => {
    const demo = environment({ PUBLIC_BASE_URL: origin, CONNECT_TOKEN_SECRET: DEV_SECRET })
    const response = await new Browser({ env: demo }).get(`${origin}/connections`)
    expect(response.status).toBe(401)
    expect(await errorCodeOf(response)).toBe('invalid_page_token')
  })
})
