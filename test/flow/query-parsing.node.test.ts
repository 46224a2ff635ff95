import { describe, expect, it } from 'vitest'
import { readBindingNonce } from '../../src/flow/browser-binding.ts'
import { isWellFormedState, parseCallbackQuery } from '../../src/flow/callback-query.ts'
import { rawQuery } from '../../src/flow/query-string.ts'
import { errorCodeOf } from '../support/error-code.ts'

const STATE = 'A'.repeat(43)

describe('callback query parsing', () => {
  it('reads state, code, error and iss and keeps every parameter', () => {
    expect(parseCallbackQuery(`code=c%2B1&state=${STATE}&iss=https%3A%2F%2Fi.example&realmId=9`)).toEqual({
      state: STATE,
      code: 'c+1',
      error: null,
      iss: 'https://i.example',
      parameters: { code: 'c+1', state: STATE, iss: 'https://i.example', realmId: '9' },
    })
  })

  it.each([
    ['access_denied', 'access_denied'],
    ['login_required', 'login_required'],
    ['rt_presented-refresh-token', 'unrecognized_error'],
    ['bad"code\\', 'unrecognized_error'],
    ['', 'unrecognized_error'],
  ])('S13 keeps error=%s only when it is a registered OAuth error code (-> %s)', (error, expected) => {
    expect(parseCallbackQuery(`state=${STATE}&error=${encodeURIComponent(error)}&error_description=x`).error).toBe(expected)
  })

  it.each([
    ['code=a&code=b', 'duplicate_parameter'],
    ['state=a&state=a', 'duplicate_parameter'],
    ['iss=a&code=x&iss=b', 'duplicate_parameter'],
    ['a=%zz', 'invalid_request'],
    ['a=%4', 'invalid_request'],
    [`x=${'a'.repeat(9000)}`, 'invalid_request'],
    [Array.from({ length: 51 }, (_, index) => `p${index}=1`).join('&'), 'invalid_request'],
    ['__proto__=x&constructor=y', null],
  ])('S7 S18 %s -> %s', async (query, code) => {
    expect(await errorCodeOf(() => parseCallbackQuery(query))).toBe(code)
  })

  it('only states of the issued shape are looked up', () => {
    expect(isWellFormedState(STATE)).toBe(true)
    for (const state of ['', 'short', `${STATE}A`, `${'A'.repeat(42)}=`, `${'A'.repeat(42)}/`]) expect(isWellFormedState(state)).toBe(false)
  })

  it('takes the raw query without the fragment', () => {
    expect(rawQuery('https://x/cb?a=1&b=%20#frag')).toBe('a=1&b=%20')
    expect(rawQuery('https://x/cb')).toBe('')
  })
})

describe('binding cookie parsing', () => {
  const nonce = 'n'.repeat(43)
  const name = `__Host-latchkey-flow-${STATE.slice(0, 16)}`

  it.each([
    [`${name}=${nonce}`, nonce],
    [`other=1; ${name}=${nonce}; x=2`, nonce],
    [`${name}=short`, null],
    [`${name}x=${nonce}`, null],
    ['', null],
    [null, null],
    [`${name}=${nonce}; pad=${'x'.repeat(9000)}`, null],
  ])('S2 reads %s', (header, expected) => {
    expect(readBindingNonce(header, STATE)).toBe(expected)
  })
})
