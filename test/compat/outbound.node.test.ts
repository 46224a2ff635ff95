/**
 * The compat suite's outbound router on its own (Node, a private instance): claimed hosts
 * reach their emulator, control calls reach the control API, and anything else fails loudly
 * and is recorded, so "outbound HTTP no test expected is an error" holds by construction.
 */
import { describe, expect, it } from 'vitest'
import { CONTROL_ORIGIN, json, type ProviderEmulator } from './emulator/emulator.ts'
import { PROVIDER_EMULATORS } from './emulator/providers.ts'
import { createOutboundRouter, REFUSED_HEADER } from './outbound.ts'
import { slack } from './emulator/slack.ts'

async function takeUnexpected(router: ReturnType<typeof createOutboundRouter>): Promise<unknown[]> {
  return (await (await router.fetch(new Request(`${CONTROL_ORIGIN}/unexpected/take`, { method: 'POST' }))).json()) as unknown[]
}

describe('the compat outbound router', () => {
  it('refuses a request to a host no emulator claims with a 502, and records it', async () => {
    const router = createOutboundRouter([slack])
    for (const url of ['https://api.example.com/v1/me', 'http://slack.com/api/auth.test']) {
      const refused = await router.fetch(new Request(url))
      expect(refused.status).toBe(502)
      expect(refused.headers.get(REFUSED_HEADER)).toBe('true')
    }
    expect(await takeUnexpected(router)).toMatchObject([
      { method: 'GET', url: 'https://api.example.com/v1/me', reason: 'no emulator claims this host' },
      { method: 'GET', url: 'http://slack.com/api/auth.test', reason: 'no emulator claims this host' },
    ])
    expect(await takeUnexpected(router)).toEqual([])
  })

  it('sends a claimed host to its emulator and records a path the emulator has no route for', async () => {
    const router = createOutboundRouter([slack])
    const known = await router.fetch(new Request('https://slack.com/api/auth.test', { method: 'POST' }))
    expect(await known.json()).toEqual({ ok: false, error: 'not_authed' })
    const unknown = await router.fetch(new Request('https://slack.com/api/chat.unknownMethod'))
    expect(unknown.status).toBe(404)
    expect(await takeUnexpected(router)).toMatchObject([{ url: 'https://slack.com/api/chat.unknownMethod', reason: 'no emulated route' }])
  })

  it('answers control calls of an emulator and refuses unknown ones', async () => {
    const router = createOutboundRouter([slack])
    const log = await router.fetch(new Request(`${CONTROL_ORIGIN}/slack/log`, { method: 'POST', body: '{}' }))
    expect(await log.json()).toEqual([])
    expect((await router.fetch(new Request(`${CONTROL_ORIGIN}/slack/no-such-action`, { method: 'POST', body: '{}' }))).status).toBe(404)
    expect((await router.fetch(new Request(`${CONTROL_ORIGIN}/nobody/log`, { method: 'POST', body: '{}' }))).status).toBe(404)
  })

  it('refuses two emulators claiming the same host', () => {
    const twin = (key: string) => (): ProviderEmulator => ({ key, hosts: ['api.twin.test'], bindings: {}, handle: async () => json(200, {}), control: async () => null })
    expect(() => createOutboundRouter([twin('a'), twin('b')])).toThrow(/both claim host api\.twin\.test/)
  })

  it('starts every registered emulator without overlapping hosts or bindings', () => {
    const router = createOutboundRouter(PROVIDER_EMULATORS)
    for (const name of Object.keys(router.bindings)) expect(name).toMatch(/^[A-Z0-9_]+__[A-Z0-9_]+$/)
    // API-key emulators (Stripe, Twilio, Jira, PayPal) have no bindings: their connectors have no
    // deployment parameters. No two emulators may bind the same name.
    const own = PROVIDER_EMULATORS.map((factory) => Object.keys(factory().bindings).length)
    expect(Object.keys(router.bindings).length).toBe(own.reduce((sum, count) => sum + count, 0))
    expect(Object.keys(router.bindings).length).toBeGreaterThanOrEqual(2 * own.filter((count) => count > 0).length)
  })
})
