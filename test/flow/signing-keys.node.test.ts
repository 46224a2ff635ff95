/**
 * One key per purpose from CONNECT_TOKEN_SECRET (src/flow/signing-keys.ts): a value made for
 * one purpose (connect token, CSRF token, flow-result signature) is refused by every other,
 * while applications keep signing connect tokens with the secret as configured.
 */
import { SignJWT, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { LatchkeyError } from '../../src/errors.ts'
import { signingKey, type KeyPurpose } from '../../src/flow/signing-keys.ts'
import { assertSameOriginPost, csrfTokenFor } from '../../src/ui/page-session.ts'

const SECRET = 'test-only-signing-keys-secret-0123456789abcdef'
const PURPOSES: KeyPurpose[] = ['connect-token', 'csrf', 'flow-result', 'user-verification', 'user-confirmation']
const MESSAGE = new TextEncoder().encode('latchkey-flow-result:v1\nstatus=connected')

const pairs = PURPOSES.flatMap((minted) => PURPOSES.map((checked) => [minted, checked] as const))

describe('signingKey', () => {
  it.each(pairs)('a MAC minted with the %s key verifies with the %s key only when the purposes match', async (minted, checked) => {
    const mac = await crypto.subtle.sign('HMAC', await signingKey(SECRET, minted), MESSAGE)
    expect(await crypto.subtle.verify('HMAC', await signingKey(SECRET, checked), mac, MESSAGE)).toBe(minted === checked)
  })

  it.each(PURPOSES)('a connect token an application signs with the configured secret verifies only with the connect-token key (checked with the %s key)', async (purpose) => {
    const token = await new SignJWT({ sub: 'tenant' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET))
    const verified = await jwtVerify(token, await signingKey(SECRET, purpose), { algorithms: ['HS256'] }).then(
      () => true,
      () => false,
    )
    expect(verified).toBe(purpose === 'connect-token')
  })

  it.each(PURPOSES.filter((purpose) => purpose !== 'csrf'))('the connect page refuses a CSRF token made with the %s key', async (purpose) => {
    const forged = await csrfTokenFor(await signingKey(SECRET, purpose), 'session-token')
    const post = { sessionToken: 'session-token', origin: null, fetchSite: 'same-origin', pageOrigin: 'https://latchkey.test' }
    await expect(assertSameOriginPost({ ...post, key: await signingKey(SECRET, 'csrf'), submittedCsrf: forged })).rejects.toMatchObject({ code: 'csrf_check_failed' })
    const genuine = await csrfTokenFor(await signingKey(SECRET, 'csrf'), 'session-token')
    await expect(assertSameOriginPost({ ...post, key: await signingKey(SECRET, 'csrf'), submittedCsrf: genuine })).resolves.toBeUndefined()
  })

  it('derives the same key for the same secret and purpose (tokens survive a new isolate)', async () => {
    const mac = await crypto.subtle.sign('HMAC', await signingKey(SECRET, 'csrf'), MESSAGE)
    const otherSecret = `${SECRET}-rotated`
    expect(await crypto.subtle.verify('HMAC', await signingKey(SECRET, 'csrf'), mac, MESSAGE)).toBe(true)
    expect(await crypto.subtle.verify('HMAC', await signingKey(otherSecret, 'csrf'), mac, MESSAGE)).toBe(false)
  })

  it.each(PURPOSES)('the %s key needs a secret of at least 32 bytes (server_misconfigured)', (purpose) => {
    expect(() => signingKey('too short', purpose)).toThrow(LatchkeyError)
    expect(() => signingKey(undefined, purpose)).toThrow(expect.objectContaining({ code: 'server_misconfigured' }))
  })
})
