/**
 * When a client registration is renewed and when an invalid_client report may drop it
 * (src/registration/registration-policy.ts), as tables: times are minutes from the registration.
 */
import { describe, expect, it } from 'vitest'
import { DROP_INTERVAL_MS, RENEW_BEFORE_EXPIRY_MS, dropAllowed, renewalDue, secretExpired } from '../../src/registration/registration-policy.ts'

const MINUTE = 60_000
const REGISTERED_AT = 1_800_000_000_000

/** A registration made at REGISTERED_AT whose secret lives `lifetimeMinutes` (null: forever). */
function registration(lifetimeMinutes: number | null): { registeredAt: number; clientSecretExpiresAt: number | null } {
  return { registeredAt: REGISTERED_AT, clientSecretExpiresAt: lifetimeMinutes === null ? null : REGISTERED_AT + lifetimeMinutes * MINUTE }
}

describe('renewalDue: less than min(15 minutes, half the lifetime) remains', () => {
  it.each<[string, number | null, number, boolean]>([
    ['a secret that never expires, a year on', null, 525_600, false],
    ['a 1-minute secret, fresh', 1, 0, false],
    ['a 1-minute secret, 29 s in (31 s left, half is 30 s)', 1, 29 / 60, false],
    ['a 1-minute secret, 31 s in (29 s left)', 1, 31 / 60, true],
    ['a 1-minute secret, expired', 1, 2, true],
    ['a 20-minute secret, 9 minutes in (11 left, half is 10)', 20, 9, false],
    ['a 20-minute secret, 11 minutes in (9 left)', 20, 11, true],
    ['a 2-hour secret, 104 minutes in (16 left, 15 is less than half)', 120, 104, false],
    ['a 2-hour secret, 106 minutes in (14 left)', 120, 106, true],
    ['a 30-day secret, 29 days in', 43_200, 41_760, false],
    ['a 30-day secret, 14 minutes before expiry', 43_200, 43_186, true],
  ])('%s', (_name, lifetimeMinutes, minutesIn, expected) => {
    expect(renewalDue(registration(lifetimeMinutes), REGISTERED_AT + minutesIn * MINUTE)).toBe(expected)
  })

  it('renews a secret whose expiry is not after its registration (no lifetime to halve) at once', () => {
    expect(renewalDue({ registeredAt: REGISTERED_AT, clientSecretExpiresAt: REGISTERED_AT }, REGISTERED_AT)).toBe(true)
    expect(renewalDue({ registeredAt: REGISTERED_AT, clientSecretExpiresAt: REGISTERED_AT - MINUTE }, REGISTERED_AT - 2 * MINUTE)).toBe(true)
  })

  it('never renews more than 15 minutes ahead', () => {
    expect(RENEW_BEFORE_EXPIRY_MS).toBe(15 * MINUTE)
    const longLived = registration(10_000)
    expect(renewalDue(longLived, REGISTERED_AT + (10_000 - 15) * MINUTE - 1)).toBe(false)
    expect(renewalDue(longLived, REGISTERED_AT + (10_000 - 15) * MINUTE + 1)).toBe(true)
  })
})

describe('secretExpired', () => {
  it.each<[string, number | null, number, boolean]>([
    ['never expires', null, 1_000_000, false],
    ['one millisecond before expiry', 10, 10 - 1 / MINUTE, false],
    ['at expiry', 10, 10, true],
    ['after expiry', 10, 11, true],
  ])('%s', (_name, lifetimeMinutes, minutesIn, expected) => {
    expect(secretExpired(registration(lifetimeMinutes), REGISTERED_AT + minutesIn * MINUTE)).toBe(expected)
  })
})

describe('dropAllowed: one drop per 10 minutes', () => {
  const now = REGISTERED_AT
  it.each<[string, number | null, boolean]>([
    ['never dropped', null, true],
    ['dropped a second ago', now - 1000, false],
    ['dropped 9 minutes 59 s ago', now - DROP_INTERVAL_MS + 1000, false],
    ['dropped exactly 10 minutes ago', now - DROP_INTERVAL_MS, true],
    ['dropped an hour ago', now - 60 * MINUTE, true],
    ['a drop time a minute in the future (a clock stepped back)', now + MINUTE, false],
    ['a drop time more than 10 minutes in the future (a corrupt value)', now + DROP_INTERVAL_MS + 1, true],
  ])('%s', (_name, droppedAt, expected) => {
    expect(dropAllowed(droppedAt, now)).toBe(expected)
  })

  it('the interval is 10 minutes', () => {
    expect(DROP_INTERVAL_MS).toBe(10 * MINUTE)
  })
})
