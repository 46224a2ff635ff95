import { describe, expect, it } from 'vitest'
import { readTokenRequestTimeout } from '../../src/oauth/token-request-timeout.ts'

describe('readTokenRequestTimeout', () => {
  it.each([
    ['unset', undefined, 10_000],
    ['set to 2500', '2500', 2500],
    ['set to 0', '0', 1],
    ['set to a word', 'soon', 10_000],
    ['set to a negative number', '-5', 10_000],
    ['set to a fraction', '1.5', 10_000],
  ])('TOKEN_REQUEST_TIMEOUT_MS %s gives every token request, exchange and refresh alike, a timeout of %i ms', (_case, value, expected) => {
    const env = (value === undefined ? {} : { TOKEN_REQUEST_TIMEOUT_MS: value }) as unknown as Env
    expect(readTokenRequestTimeout(env)).toBe(expected)
  })
})
