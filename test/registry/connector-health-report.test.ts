/**
 * The Worker's first HTTP request reports, once per isolate, every connector its variables
 * leave unready (src/registry/connector-health.ts, the middleware in src/index.ts), so a
 * connector missing from the connect page is explained in the log (issue #15).
 */
import { SELF } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest'
import { unavailableLine } from '../../src/registry/connector-health.ts'
import { readSettings } from '../../src/settings.ts'
import { unavailableConnectors } from '../../src/ui/connector-choices.ts'
import { leakedSecrets } from '../e2e/console-capture.ts'

/** Warnings about connectors, as printed. */
function connectorWarnings(warn: MockInstance<typeof console.warn>): string[] {
  return warn.mock.calls.map((args) => args.join(' ')).filter((line) => line.startsWith('latchkey: connector '))
}

describe('the connector report of the first request', () => {
  // Installed before this file's first request: the report is made once per isolate.
  let warn: MockInstance<typeof console.warn>
  beforeAll(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  })
  afterAll(() => {
    warn.mockRestore()
  })

  it('logs one line per unready connector, naming each variable to set, and nothing again on the next request', async () => {
    const expected = unavailableConnectors(readSettings(env)).map(unavailableLine)
    expect(expected).toContain('latchkey: connector test-misconfigured unavailable: set TEST_MISCONFIGURED__CLIENT_ID (missing)')

    await (await SELF.fetch('https://latchkey.test/connections')).arrayBuffer()
    expect(connectorWarnings(warn)).toEqual(expected)

    await (await SELF.fetch('https://latchkey.test/connections')).arrayBuffer()
    expect(connectorWarnings(warn)).toEqual(expected)
  })

  it('S13 the report quotes no secret of the configuration', () => {
    const secrets = Object.entries(env)
      .filter(([name, value]) => typeof value === 'string' && /SECRET|KEYS|CLIENT_ID|TOKEN/.test(name))
      .map(([, value]) => value as string)
    expect(secrets.length).toBeGreaterThan(0)
    expect(connectorWarnings(warn)).not.toEqual([])
    expect(leakedSecrets(connectorWarnings(warn).join('\n'), secrets)).toEqual([])
  })
})
