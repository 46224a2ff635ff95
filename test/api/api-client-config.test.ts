/**
 * getApiClientConfig and refreshApiClientConfig over the service binding: what a caller's
 * direct proxy needs (the evaluated makeApiClient configuration and the version of the
 * credentials it was made from), one shared refresh however many callers report the same
 * rejected version, and `direct: false` where only Latchkey can send the connector's requests.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { DirectApiClientConfig, LatchkeyService } from '../../src/api/latchkey-service.ts'
import { storeConnection } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { upstreamOrigin } from '../support/upstream.ts'

const latchkey = env.LATCHKEY_SELF as unknown as Service<LatchkeyService>

function direct(config: DirectApiClientConfig): Extract<DirectApiClientConfig, { direct: true }> {
  if (!config.direct) throw new Error(`expected a direct configuration, got: ${config.reason}`)
  return config
}

/** The caller's own fetch with a direct configuration, as the client package sends it. */
function fetchWith(config: Extract<DirectApiClientConfig, { direct: true }>, path: string): Promise<Response> {
  const url = new URL(`${config.baseUri}${path}`)
  for (const [name, value] of Object.entries(config.query)) url.searchParams.set(name, value)
  return fetch(url, { headers: config.headers })
}

describe('getApiClientConfig', () => {
  it('hands out the evaluated makeApiClient configuration, its version and the refresh time', async () => {
    const connection = await storeConnection({ label: 'direct-config' })
    const config = direct(await latchkey.getApiClientConfig(connection.tenant, connection.connectionId))
    expect(config).toEqual({
      direct: true,
      baseUri: `${upstreamOrigin()}/s/${connection.scenario.id}/api`,
      headers: { Authorization: `Bearer ${connection.tokens.access_token}` },
      query: {},
      version: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      expiresAt: connection.summary.expiresAt === null ? null : expect.any(Number),
    })
    expect(await (await fetchWith(config, '/me')).json()).toMatchObject({ ok: true })
    // The same credentials, the same version.
    expect(direct(await latchkey.getApiClientConfig(connection.tenant, connection.connectionId)).version).toBe(config.version)
  })

  it('refuses another tenant exactly like a missing connection', async () => {
    const connection = await storeConnection({ label: 'direct-tenant' })
    expect(await errorCodeOf(() => latchkey.getApiClientConfig('someone-else', connection.connectionId))).toBe('connection_not_found')
  })

  it('says direct: false when the connector evaluates response handlers (test-api-client)', async () => {
    const connection = await storeConnection({ label: 'direct-handlers', connectorKey: 'test-api-client' })
    const config = await latchkey.getApiClientConfig(connection.tenant, connection.connectionId)
    expect(config).toEqual({ direct: false, reason: expect.stringContaining('proxy') })
  })
})

describe('refreshApiClientConfig', () => {
  it('a storm of callers reporting the same rejected version makes one refresh, and all get the new configuration', async () => {
    const connection = await storeConnection({ label: 'direct-storm' })
    const before = direct(await latchkey.getApiClientConfig(connection.tenant, connection.connectionId))
    await connection.scenario.expireAccessTokens()
    expect((await fetchWith(before, '/me')).status).toBe(401)

    const after = await Promise.all(Array.from({ length: 20 }, () => latchkey.refreshApiClientConfig(connection.tenant, connection.connectionId, before.version)))
    expect(await connection.scenario.count('/token')).toBe(1)
    const versions = new Set(after.map((config) => direct(config).version))
    expect(versions.size).toBe(1)
    expect(versions.has(before.version)).toBe(false)
    expect((await fetchWith(direct(after[0] as DirectApiClientConfig), '/me')).status).toBe(200)
  })

  it('a version that is no longer current gets the current configuration without a refresh', async () => {
    const connection = await storeConnection({ label: 'direct-stale' })
    const first = direct(await latchkey.getApiClientConfig(connection.tenant, connection.connectionId))
    const refreshed = direct(await latchkey.refreshApiClientConfig(connection.tenant, connection.connectionId, first.version))
    expect(await connection.scenario.count('/token')).toBe(1)
    const again = direct(await latchkey.refreshApiClientConfig(connection.tenant, connection.connectionId, first.version))
    expect(again.version).toBe(refreshed.version)
    expect(await connection.scenario.count('/token')).toBe(1)
  })

  it('answers needs_reauth, without a token request, once the grant is gone', async () => {
    const connection = await storeConnection({ label: 'direct-revoked' })
    const config = direct(await latchkey.getApiClientConfig(connection.tenant, connection.connectionId))
    await connection.scenario.revokeGrants()
    expect(await errorCodeOf(() => latchkey.refreshApiClientConfig(connection.tenant, connection.connectionId, config.version))).toBe('needs_reauth')
    const requests = await connection.scenario.count('/token')
    expect(await errorCodeOf(() => latchkey.refreshApiClientConfig(connection.tenant, connection.connectionId, config.version))).toBe('needs_reauth')
    expect(await connection.scenario.count('/token')).toBe(requests)
  })
})
