/**
 * The result route `GET /oauth/done` (S7): where the callback sends the browser when the app
 * gets no redirect of its own. Its URL is a trust boundary: only results Latchkey signed are
 * shown or posted, and a popup origin must still be on ALLOWED_RETURN_ORIGINS (S8).
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { flowResultUrl, type FlowResult } from '../../src/flow/flow-result.ts'
import { readSettings } from '../../src/settings.ts'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { errorCodeOf } from '../support/error-code.ts'

const CONNECTED: FlowResult = { status: 'connected', connectionId: 'conn_aaaaaaaaaaaaaaaaaaaaaaaaaa', error: null, providerError: null, popupOrigin: 'https://app.example.com' }

/** A result URL as the callback makes it, with `change` applied to its query afterwards. */
async function resultUrl(result: FlowResult, change: (query: URLSearchParams) => void = () => undefined): Promise<string> {
  const url = new URL(await flowResultUrl(readSettings(env), result))
  change(url.searchParams)
  return url.toString()
}

describe('the result route', () => {
  it('S7 shows a result Latchkey signed', async () => {
    const url = await resultUrl(CONNECTED)
    expect(url.startsWith(`${LATCHKEY_ORIGIN}/oauth/done?`)).toBe(true)
    const response = await new Browser().get(url)
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('data-target-origin="https://app.example.com"')
  })

  it.each([
    [
      'a failure turned into a success',
      { ...CONNECTED, status: 'failed', error: 'token_exchange_failed', connectionId: null } as FlowResult,
      (query: URLSearchParams) => {
        query.set('status', 'connected')
        query.delete('error')
      },
    ],
    ['another connection id', CONNECTED, (query: URLSearchParams) => query.set('connection_id', 'conn_bbbbbbbbbbbbbbbbbbbbbbbbbb')],
    ['another allowed popup origin', CONNECTED, (query: URLSearchParams) => query.set('origin', 'http://localhost:5173')],
    ['the popup origin removed', CONNECTED, (query: URLSearchParams) => query.delete('origin')],
    ['no signature', CONNECTED, (query: URLSearchParams) => query.delete('sig')],
    ['a signature of the wrong shape', CONNECTED, (query: URLSearchParams) => query.set('sig', 'x')],
    ['an unknown parameter', CONNECTED, (query: URLSearchParams) => query.set('code', 'abc')],
    ['an unknown status', CONNECTED, (query: URLSearchParams) => query.set('status', 'hacked')],
    ['an unknown error code', { ...CONNECTED, status: 'failed', error: 'internal_error' } as FlowResult, (query: URLSearchParams) => query.set('error', 'totally_fine')],
  ])('S7 refuses a result URL with %s', async (_case, result, change) => {
    const response = await new Browser().get(await resultUrl(result, change))
    expect(response.status).toBe(400)
    expect(await errorCodeOf(response)).toBe('invalid_request')
    expect(await response.text()).not.toContain('postMessage')
  })

  it('S7 refuses a repeated parameter', async () => {
    const response = await new Browser().get(`${await resultUrl(CONNECTED)}&status=failed`)
    expect(await errorCodeOf(response)).toBe('duplicate_parameter')
  })

  it('S8 a popup origin no longer on ALLOWED_RETURN_ORIGINS is refused on the result route', async () => {
    const url = await resultUrl(CONNECTED)
    const narrowed = { ...env, ALLOWED_RETURN_ORIGINS: 'http://localhost:5173' } as Env
    const response = await new Browser({ env: narrowed }).get(url)
    expect(response.status).toBe(400)
    expect(await errorCodeOf(response)).toBe('return_url_not_allowed')
  })
})
