/**
 * Who a connection is connected as (src/connection/connection-account.ts): what is read from
 * validated id_token claims and from a connector test's result, how provider text is bounded
 * and cleaned, that no secret survives into a label or id, and how a later test's account
 * merges with the stored one.
 */
import { describe, expect, it } from 'vitest'
import {
  accountFromIdToken,
  accountFromTestResult,
  checkedAccount,
  MAX_ACCOUNT_ID_LENGTH,
  MAX_ACCOUNT_LABEL_LENGTH,
  mergeTestedAccount,
  withoutSecrets,
  type ConnectionAccount,
} from '../../src/connection/connection-account.ts'

const ISSUER = 'https://issuer.example'

describe('accountFromIdToken', () => {
  it.each<[string, Record<string, unknown>, ConnectionAccount | null]>([
    ['email first', { iss: ISSUER, sub: 's1', email: 'ada@example.com', preferred_username: 'ada', name: 'Ada' }, { id: `${ISSUER} s1`, label: 'ada@example.com' }],
    ['then preferred_username', { iss: ISSUER, sub: 's1', preferred_username: 'ada', name: 'Ada' }, { id: `${ISSUER} s1`, label: 'ada' }],
    ['then name', { iss: ISSUER, sub: 's1', name: 'Ada Lovelace' }, { id: `${ISSUER} s1`, label: 'Ada Lovelace' }],
    ['no label claim: the subject alone identifies', { iss: ISSUER, sub: 's1' }, { id: `${ISSUER} s1`, label: null }],
    ['a non-string email is skipped', { iss: ISSUER, sub: 's1', email: 42, name: 'Ada' }, { id: `${ISSUER} s1`, label: 'Ada' }],
    ['no issuer: no id', { sub: 's1', email: 'ada@example.com' }, { id: null, label: 'ada@example.com' }],
    ['nothing usable', { sub: 7 }, null],
  ])('%s', (_name, claims, expected) => {
    expect(accountFromIdToken(claims)).toEqual(expected)
  })

  it('namespaces the subject by issuer, so the same sub of two issuers is two accounts', () => {
    const first = accountFromIdToken({ iss: 'https://one.example', sub: 'same' })
    const second = accountFromIdToken({ iss: 'https://two.example', sub: 'same' })
    expect(first?.id).not.toBe(second?.id)
  })
})

describe('accountFromTestResult', () => {
  it.each<[string, unknown, ConnectionAccount | null]>([
    ['login and numeric id (GitHub /user)', { login: 'octocat', id: 583231 }, { id: '583231', label: 'octocat' }],
    ['email before login for the label', { id: 'u-1', login: 'ada', email: 'ada@example.com' }, { id: 'u-1', label: 'ada@example.com' }],
    // Logins and emails can be changed by their owner: never an id that merges connections.
    ['a login is no id', { login: 'ada', name: 'Ada' }, { id: null, label: 'ada' }],
    ['an email is no id', { email: 'ada@example.com' }, { id: null, label: 'ada@example.com' }],
    ['name alone labels but does not identify', { name: 'Ada' }, { id: null, label: 'Ada' }],
    ['username labels', { username: 'ada' }, { id: null, label: 'ada' }],
    ['the id labels when nothing else does', { id: 17 }, { id: '17', label: '17' }],
    ['a non-finite id is no id', { id: Number.POSITIVE_INFINITY, name: 'Ada' }, { id: null, label: 'Ada' }],
    ['an object id is no id', { id: { nested: 1 }, login: 'ada' }, { id: null, label: 'ada' }],
    ['true', true, null],
    ['a string', 'ok', null],
    ['an array', [{ login: 'ada' }], null],
    ['an object naming nobody', { ok: true, sub: 'user-1' }, null],
  ])('%s', (_name, result, expected) => {
    expect(accountFromTestResult(result)).toEqual(expected)
  })

  it('passes over a field that contains a secret and uses the next one', () => {
    const token = 'at_0123456789abcdef'
    expect(accountFromTestResult({ login: token, id: 7 }, [token])).toEqual({ id: '7', label: '7' })
    expect(accountFromTestResult({ id: token, login: 'ada', email: `${token}@x` }, [token])).toEqual({ id: null, label: 'ada' })
    expect(accountFromTestResult({ login: token }, [token])).toBeNull()
  })

  it('removes control and reordering characters and trims', () => {
    expect(accountFromTestResult({ login: ' \u202eada\u0000\n ', id: '\u2066u-1\u2069' })).toEqual({ id: 'u-1', label: 'ada' })
  })

  it(`cuts a label to ${MAX_ACCOUNT_LABEL_LENGTH} characters without splitting a character`, () => {
    const label = accountFromTestResult({ name: '😀'.repeat(MAX_ACCOUNT_LABEL_LENGTH + 5) })?.label ?? ''
    expect(Array.from(label)).toHaveLength(MAX_ACCOUNT_LABEL_LENGTH)
    expect(label).toBe('😀'.repeat(MAX_ACCOUNT_LABEL_LENGTH))
  })

  it(`drops an id longer than ${MAX_ACCOUNT_ID_LENGTH} characters instead of cutting it (two accounts must not share one)`, () => {
    expect(accountFromTestResult({ id: 'x'.repeat(MAX_ACCOUNT_ID_LENGTH + 1), name: 'Ada' })).toEqual({ id: null, label: 'Ada' })
    expect(accountFromTestResult({ id: 'x'.repeat(MAX_ACCOUNT_ID_LENGTH) })?.id).toHaveLength(MAX_ACCOUNT_ID_LENGTH)
  })
})

describe('withoutSecrets', () => {
  const token = 'at_0123456789abcdef'
  it.each<[string, ConnectionAccount, ConnectionAccount | null]>([
    ['a label that is a token', { id: '7', label: token }, { id: '7', label: null }],
    ['a label that contains a token', { id: '7', label: `key ${token}` }, { id: '7', label: null }],
    ['an id that is a token', { id: token, label: 'ada' }, { id: null, label: 'ada' }],
    ['both', { id: token, label: token }, null],
    ['neither', { id: '7', label: 'ada' }, { id: '7', label: 'ada' }],
  ])('%s', (_name, account, expected) => {
    expect(withoutSecrets(account, [token, 'Bearer'])).toEqual(expected)
  })

  it('ignores values too short to be secrets (a label may contain "Bearer")', () => {
    expect(withoutSecrets({ id: null, label: 'Bearer of news' }, ['Bearer'])).toEqual({ id: null, label: 'Bearer of news' })
  })
})

describe('checkedAccount (an account that crossed RPC)', () => {
  it.each<[string, unknown, ConnectionAccount | null]>([
    ['as it should be', { id: 'a', label: 'b' }, { id: 'a', label: 'b' }],
    ['cleaned again', { id: ' a\u0000 ', label: '\u202eb' }, { id: 'a', label: 'b' }],
    ['wrong types become null', { id: 5, label: ['b'] }, null],
    ['not an object', 'a', null],
    ['null', null, null],
  ])('%s', (_name, value, expected) => {
    expect(checkedAccount(value)).toEqual(expected)
  })
})

describe('mergeTestedAccount', () => {
  it.each<[string, ConnectionAccount | null, ConnectionAccount | null, ConnectionAccount | null]>([
    ['nothing tested keeps what is stored', { id: 'a', label: 'A' }, null, { id: 'a', label: 'A' }],
    ['no stored account takes the tested one', null, { id: 'a', label: 'A' }, { id: 'a', label: 'A' }],
    ['the same id takes the newer label', { id: 'a', label: 'old' }, { id: 'a', label: 'new' }, { id: 'a', label: 'new' }],
    [
      'another id (an id_token account) stays',
      { id: `${ISSUER} s1`, label: 'ada@example.com' },
      { id: '583231', label: 'octocat' },
      { id: `${ISSUER} s1`, label: 'ada@example.com' },
    ],
    ['a stored label without id takes the tested id', { id: null, label: 'Ada' }, { id: 'a', label: null }, { id: 'a', label: 'Ada' }],
  ])('%s', (_name, current, tested, expected) => {
    expect(mergeTestedAccount(current, tested)).toEqual(expected)
  })
})
