import { describe, expect, it } from 'vitest'
import { signWebhookBody, verifyWebhookSignature } from '../../src/connection/events/webhook-signature.ts'

const SECRET = 'whsec-test'
const BODY = '{"type":"connection.created"}'
const NOW = 1_800_000_000

describe('webhook signatures', () => {
  it('signs t.body with HMAC-SHA256 in the documented header format', async () => {
    const header = await signWebhookBody(SECRET, BODY, NOW)
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/)
    expect(await verifyWebhookSignature(SECRET, header, BODY, NOW)).toBe(true)
  })

  it.each([
    { label: 'a changed body', header: () => signWebhookBody(SECRET, BODY, NOW), body: '{"type":"connection.deleted"}', now: NOW },
    { label: 'another secret', header: () => signWebhookBody('other', BODY, NOW), body: BODY, now: NOW },
    { label: 'an old timestamp', header: () => signWebhookBody(SECRET, BODY, NOW - 301), body: BODY, now: NOW },
    { label: 'a malformed header', header: async () => 'v1=abc', body: BODY, now: NOW },
  ])('rejects $label', async ({ header, body, now }) => {
    expect(await verifyWebhookSignature(SECRET, await header(), body, now)).toBe(false)
  })
})
