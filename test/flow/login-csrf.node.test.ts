/**
 * S21's pure pieces: which display names may be shown (src/flow/display-name.ts), when the
 * authorize start asks first (src/flow/start-confirmation.ts), and the user verifier's flow
 * token and confirmation (src/flow/user-verification-token.ts).
 */
import { describe, expect, it } from 'vitest'
import { displayNameProblem } from '../../src/flow/display-name.ts'
import { startConfirmation } from '../../src/flow/start-confirmation.ts'
import { confirmationMatches, flowTokenMatches, makeConfirmation, makeFlowToken, parseFlowToken } from '../../src/flow/user-verification-token.ts'

const SECRET = 'test-only-login-csrf-secret-0123456789abcdef'
const FLOW_ID = 'f'.repeat(43)

describe('S21 display names', () => {
  it.each([
    ['Alice', null],
    ['Alice <alice@example.com>', null],
    ['Zoë Ångström 李', null],
    ['👩‍💻 Dev', 'contains control, zero-width or bidirectional characters'],
    ['A'.repeat(128), null],
    ['A'.repeat(129), 'is longer than 128 characters'],
    ['', 'is empty'],
    ['   ', 'is empty'],
    [42, 'is not a string'],
    [null, 'is not a string'],
    ['Alice\u0000', 'contains control, zero-width or bidirectional characters'],
    ['Alice\nAdmin', 'contains control, zero-width or bidirectional characters'],
    ['Alice\u0085', 'contains control, zero-width or bidirectional characters'],
    ['Alice\u202Eecila', 'contains control, zero-width or bidirectional characters'],
    ['Alice\u2066x\u2069', 'contains control, zero-width or bidirectional characters'],
    ['Ali\u200Bce', 'contains control, zero-width or bidirectional characters'],
    ['Alice\u2028', 'contains control, zero-width or bidirectional characters'],
    ['Alice\uD800', 'contains control, zero-width or bidirectional characters'],
  ])('S21 the display name %j: %s', (name, problem) => {
    expect(displayNameProblem(name)).toBe(problem)
  })
})

describe('S21 when the authorize start asks first', () => {
  const alice = { tenant: 't-alice', displayName: 'Alice' }
  const mallory = { tenant: 't-mallory', displayName: 'Mallory' }
  const anonymous = { tenant: 't-anonymous', displayName: null }
  it.each([
    ['a named link, no page session', mallory, null, { target: mallory, signedInAs: null }],
    ['a named link, a page session of another tenant', mallory, alice, { target: mallory, signedInAs: alice }],
    ['an unnamed link, a page session of another tenant', anonymous, alice, { target: anonymous, signedInAs: alice }],
    ['a named link, a page session of the same tenant', alice, alice, null],
    ['an unnamed link, no page session', anonymous, null, null],
  ])('S21 %s', (_case, target, session, expected) => {
    expect(startConfirmation(target, session)).toEqual(expected)
  })
})

describe('S21 the flow token and the confirmation', () => {
  const expiresAt = Date.UTC(2026, 0, 1)

  it('S21 a flow token checks out only for the tenant that started the flow', async () => {
    const token = parseFlowToken(await makeFlowToken(SECRET, FLOW_ID, 'tenant-a', expiresAt))
    expect(token).toEqual({ flowId: FLOW_ID, expiresAt, mac: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })
    if (token === null) return
    expect(await flowTokenMatches(SECRET, token, 'tenant-a')).toBe(true)
    expect(await flowTokenMatches(SECRET, token, 'tenant-b')).toBe(false)
    expect(await flowTokenMatches(SECRET, { ...token, expiresAt: expiresAt + 3_600_000 }, 'tenant-a')).toBe(false)
    expect(await flowTokenMatches(`${SECRET}-other`, token, 'tenant-a')).toBe(false)
  })

  it.each([['not a token'], [`${FLOW_ID}.12.short`], [`${FLOW_ID}.x.${'a'.repeat(43)}`], [42], [undefined]])('S21 %j is not a flow token', (value) => {
    expect(parseFlowToken(value)).toBeNull()
  })

  it('S21 a confirmation is for one flow and one tenant, and is not a flow token MAC', async () => {
    const confirmation = await makeConfirmation(SECRET, FLOW_ID, 'tenant-a')
    expect(await confirmationMatches(SECRET, FLOW_ID, 'tenant-a', confirmation)).toBe(true)
    expect(await confirmationMatches(SECRET, FLOW_ID, 'tenant-b', confirmation)).toBe(false)
    expect(await confirmationMatches(SECRET, 'g'.repeat(43), 'tenant-a', confirmation)).toBe(false)
    expect(await confirmationMatches(SECRET, FLOW_ID, 'tenant-a', '')).toBe(false)
    const flowTokenMac = parseFlowToken(await makeFlowToken(SECRET, FLOW_ID, 'tenant-a', expiresAt))?.mac ?? ''
    expect(await confirmationMatches(SECRET, FLOW_ID, 'tenant-a', flowTokenMac)).toBe(false)
  })
})
