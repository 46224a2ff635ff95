import { describe, expect, it } from 'vitest'
import { readCredentialKeyring } from '../../src/connection/credential-encryption.ts'
import { LatchkeyError } from '../../src/errors.ts'

/** Test-only keys (base64 of 32 bytes). */
const KEY_2026 = 'dGVzdC1vbmx5LWtleS1kby1ub3QtZGVwbG95LTAwMDA='
const KEY_2025 = 'b2xkLXRlc3Qtb25seS1rZXktZG8tbm90LWRlcGxveTA='
const TWO_KEYS = JSON.stringify({ 'kid-2026': KEY_2026, 'kid-2025': KEY_2025 })

function environment(variables: Record<string, string>): Env {
  return variables as unknown as Env
}

describe('the credential keyring (S13)', () => {
  it('uses CREDENTIALS_KEY_ID to pick the key that seals new credentials among several', async () => {
    const keyring = await readCredentialKeyring(environment({ CREDENTIALS_KEYS: TWO_KEYS, CREDENTIALS_KEY_ID: 'kid-2025' }))
    expect(keyring.currentKid).toBe('kid-2025')
    expect([...keyring.keys.keys()].sort()).toEqual(['kid-2025', 'kid-2026'])
  })

  it('uses the only key when CREDENTIALS_KEY_ID is unset', async () => {
    const keyring = await readCredentialKeyring(environment({ CREDENTIALS_KEYS: JSON.stringify({ only: KEY_2026 }) }))
    expect(keyring.currentKid).toBe('only')
  })

  it.each([
    ['CREDENTIALS_KEY_ID is unset and CREDENTIALS_KEYS has several keys', { CREDENTIALS_KEYS: TWO_KEYS }],
    ['CREDENTIALS_KEY_ID is empty and CREDENTIALS_KEYS has several keys', { CREDENTIALS_KEYS: TWO_KEYS, CREDENTIALS_KEY_ID: '' }],
    ['CREDENTIALS_KEY_ID names a kid CREDENTIALS_KEYS does not have', { CREDENTIALS_KEYS: TWO_KEYS, CREDENTIALS_KEY_ID: 'kid-2027' }],
    ['CREDENTIALS_KEYS is unset', { CREDENTIALS_KEY_ID: 'kid-2026' }],
    ['CREDENTIALS_KEYS is not JSON', { CREDENTIALS_KEYS: KEY_2026, CREDENTIALS_KEY_ID: 'kid-2026' }],
    ['CREDENTIALS_KEYS is empty', { CREDENTIALS_KEYS: '{}' }],
    ['a key is not 32 bytes', { CREDENTIALS_KEYS: JSON.stringify({ short: 'c2hvcnQ=' }) }],
  ])('fails with credentials_key_misconfigured when %s, quoting no key', async (_case, variables) => {
    const error = await readCredentialKeyring(environment(variables)).then(
      () => null,
      (thrown: unknown) => thrown,
    )
    expect(error).toBeInstanceOf(LatchkeyError)
    expect((error as LatchkeyError).code).toBe('credentials_key_misconfigured')
    for (const key of [KEY_2026, KEY_2025, 'c2hvcnQ=']) expect((error as LatchkeyError).message).not.toContain(key)
  })
})
