/**
 * `listConnectors` over the real service binding (LATCHKEY_SELF), with the typed client an
 * operator's Worker would use: every compiled connector's readiness, never a value (S13); and
 * the first RPC call reports the unready connectors to the log, once per isolate.
 */
import { env } from 'cloudflare:workers'
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest'
import { LatchkeyClient } from '@latchkey/client'
import { unavailableLine } from '../../src/registry/connector-health.ts'
import { listConnectors } from '../../src/registry/registry.ts'
import { readSettings } from '../../src/settings.ts'
import { unavailableConnectors } from '../../src/ui/connector-choices.ts'
import { leakedSecrets } from '../e2e/console-capture.ts'

const latchkey = new LatchkeyClient(env.LATCHKEY_SELF)

/** Every configured value that could be a secret. */
function configuredSecrets(): string[] {
  return Object.entries(env)
    .filter(([name, value]) => typeof value === 'string' && /SECRET|KEYS|CLIENT_ID|TOKEN/.test(name))
    .map(([, value]) => value as string)
}

describe('listConnectors', () => {
  // Installed before this file's first RPC call: the report is made once per isolate.
  let warn: MockInstance<typeof console.warn>
  beforeAll(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  })
  afterAll(() => {
    warn.mockRestore()
  })

  it('the first RPC call logs one line per unready connector, and later calls nothing more', async () => {
    const expected = unavailableConnectors(readSettings(env)).map(unavailableLine)
    expect(expected.length).toBeGreaterThan(0)
    await latchkey.listConnectors()
    await latchkey.listConnectors()
    const lines = warn.mock.calls.map((args) => args.join(' ')).filter((line) => line.startsWith('latchkey: connector '))
    expect(lines).toEqual(expected)
  })

  it('answers every compiled connector, sorted by key, with its name, logo and ways to connect', async () => {
    const readiness = await latchkey.listConnectors()
    expect(readiness.map((connector) => connector.key)).toEqual(listConnectors().map((connector) => connector.key))
    expect(readiness.map((connector) => connector.key)).toEqual(readiness.map((connector) => connector.key).sort())
    const byKey = new Map(readiness.map((connector) => [connector.key, connector]))
    expect(byKey.get('github')).toEqual({ key: 'github', name: 'GitHub', logoUri: null, authTypes: ['oauth2'], ready: true, problems: [] })
    expect(byKey.get('test-options')).toMatchObject({ authTypes: ['client-credentials', 'oauth2'], ready: true })
  })

  it('an unready connector names each variable to set', async () => {
    const misconfigured = (await latchkey.listConnectors()).find((connector) => connector.key === 'test-misconfigured')
    expect(misconfigured).toMatchObject({ ready: false, problems: [{ variable: 'TEST_MISCONFIGURED__CLIENT_ID', code: 'missing' }] })
    expect(misconfigured?.problems[0]?.message).toContain('"clientId"')
  })

  it('S13 the answer carries no configured secret', async () => {
    const secrets = configuredSecrets()
    expect(secrets.length).toBeGreaterThan(0)
    expect(leakedSecrets(JSON.stringify(await latchkey.listConnectors()), secrets)).toEqual([])
  })
})
