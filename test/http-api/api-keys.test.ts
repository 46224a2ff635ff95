/**
 * The API_KEYS configuration and the key check (S24): only hashes are configured, a presented
 * secret is compared in constant time (also for an unknown key id), and a malformed
 * configuration fails closed with a log line that names the problem and never a hash.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { checkApiKey, hashApiKeySecret, parseApiKeys, type ConfiguredApiKey } from '../../src/http-api/api-keys.ts'
import { storeConnection } from '../support/connections.ts'
import { ALL_SCOPES, apiKeysConfiguration, secretHash, TEST_API_KEYS } from './api-key-fixtures.ts'
import { callApi, problemOf } from './api-call.ts'
import { API_ROUTES } from './routes.ts'

const ALL = TEST_API_KEYS.all
const A_HASH = 'a'.repeat(64)

afterEach(() => {
  vi.restoreAllMocks()
})

function configuredKeys(text: string): ReadonlyMap<string, ConfiguredApiKey> {
  const configuration = parseApiKeys(text)
  if (configuration.state !== 'on') throw new Error(`expected a valid configuration, got ${JSON.stringify(configuration)}`)
  return configuration.keys
}

describe('API_KEYS', () => {
  it('S24 holds only hashes: no secret of any test key is in the configuration the Worker gets', async () => {
    const configured = String(Reflect.get(env, 'API_KEYS'))
    for (const key of Object.values(TEST_API_KEYS)) {
      expect(configured).not.toContain(key.secret)
      expect(configured).toContain(await secretHash(key.secret))
    }
  })

  it('a hash is SHA-256 of the secret’s UTF-8 in lowercase hex', async () => {
    expect(await hashApiKeySecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(await hashApiKeySecret(ALL.secret)).toBe(await secretHash(ALL.secret))
  })

  it.each([undefined, '', '   '])('leaves the HTTP API off when it is %j', (text) => {
    expect(parseApiKeys(text)).toEqual({ state: 'off' })
  })

  it('reads ids, scopes, tenant prefix and name', () => {
    const keys = configuredKeys(JSON.stringify({ abcdefgh: { hash: A_HASH, scopes: ['proxy', 'tokens:read'], tenants: 'acme-', name: 'billing service' } }))
    expect(keys.get('abcdefgh')?.key).toEqual({ id: 'abcdefgh', name: 'billing service', scopes: new Set(['proxy', 'tokens:read']), tenantPrefix: 'acme-' })
    expect(parseApiKeys('{}')).toEqual({ state: 'on', keys: new Map() })
  })

  it.each([
    ['not JSON', '{"abcdefgh":', 'is not valid JSON'],
    ['an array', '[]', 'must be a JSON object'],
    ['a short id', JSON.stringify({ abc: { hash: A_HASH, scopes: ['proxy'] } }), 'entry 1: a key id must be'],
    ['an id with capitals', JSON.stringify({ ABCDEFGH: { hash: A_HASH, scopes: ['proxy'] } }), 'entry 1: a key id must be'],
    ['a whole key as the id', JSON.stringify({ [ALL.key]: { hash: A_HASH, scopes: ['proxy'] } }), 'entry 1: a key id must be'],
    ['an entry that is not an object', JSON.stringify({ abcdefgh: A_HASH }), 'key abcdefgh: must be an object'],
    ['a missing hash', JSON.stringify({ abcdefgh: { scopes: ['proxy'] } }), 'key abcdefgh: hash must be'],
    ['an uppercase hash', JSON.stringify({ abcdefgh: { hash: A_HASH.toUpperCase(), scopes: ['proxy'] } }), 'key abcdefgh: hash must be'],
    ['a plain secret as the hash', JSON.stringify({ abcdefgh: { hash: ALL.secret, scopes: ['proxy'] } }), 'key abcdefgh: hash must be'],
    ['no scopes', JSON.stringify({ abcdefgh: { hash: A_HASH, scopes: [] } }), 'key abcdefgh: scopes must be'],
    ['an unknown scope', JSON.stringify({ abcdefgh: { hash: A_HASH, scopes: ['tokens:write'] } }), 'key abcdefgh: scopes must be'],
    ['a scope twice', JSON.stringify({ abcdefgh: { hash: A_HASH, scopes: ['proxy', 'proxy'] } }), 'key abcdefgh: scopes lists a scope twice'],
    ['an empty tenant prefix', JSON.stringify({ abcdefgh: { hash: A_HASH, scopes: ['proxy'], tenants: '' } }), 'key abcdefgh: tenants must be'],
    ['a tenant prefix list', JSON.stringify({ abcdefgh: { hash: A_HASH, scopes: ['proxy'], tenants: ['a-'] } }), 'key abcdefgh: tenants must be'],
    ['a misspelt field', JSON.stringify({ abcdefgh: { hash: A_HASH, scope: ['proxy'] } }), 'key abcdefgh: unknown field "scope"'],
  ])('S24 refuses %s as a whole, naming the problem but never a hash or a key', (_label, text, problem) => {
    const configuration = parseApiKeys(text)
    expect(configuration.state).toBe('invalid')
    const described = configuration.state === 'invalid' ? configuration.problem : ''
    expect(described).toContain(problem)
    for (const secret of [A_HASH, A_HASH.toUpperCase(), ALL.key, ALL.secret]) expect(described).not.toContain(secret)
  })
})

describe('the key check', () => {
  it('S24 compares every presented secret in constant time, also for an unknown or malformed key', async () => {
    const keys = configuredKeys(await apiKeysConfiguration([ALL]))
    const compare = vi.spyOn(crypto.subtle, 'timingSafeEqual')

    const outcomes = [
      await checkApiKey(keys, `Bearer ${ALL.key}`),
      await checkApiKey(keys, `Bearer lk_${ALL.id}_${'D'.repeat(43)}`),
      await checkApiKey(keys, `Bearer lk_unknown0001_${ALL.secret}`),
      await checkApiKey(keys, 'Bearer not-a-latchkey-key'),
    ]

    expect(outcomes.map((outcome) => (outcome.ok ? outcome.key.id : outcome.reason))).toEqual([ALL.id, 'invalid', 'invalid', 'invalid'])
    expect(compare).toHaveBeenCalledTimes(4)
    for (const [presented, configured] of compare.mock.calls) {
      expect((presented as Uint8Array).byteLength).toBe(32)
      expect((configured as Uint8Array).byteLength).toBe(32)
    }
  })

  it.each([undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Token lk_x'])('answers missing for the Authorization header %j', async (authorization) => {
    const keys = configuredKeys(await apiKeysConfiguration([ALL]))
    expect(await checkApiKey(keys, authorization)).toEqual({ ok: false, reason: 'missing' })
  })

  it('accepts the scheme in any case, and a rotated key only while it is configured', async () => {
    const rotated = { ...TEST_API_KEYS.withoutProxy }
    const both = configuredKeys(await apiKeysConfiguration([ALL, rotated]))
    const newOnly = configuredKeys(await apiKeysConfiguration([ALL]))
    expect(await checkApiKey(both, `bearer ${rotated.key}`)).toMatchObject({ ok: true })
    expect(await checkApiKey(newOnly, `Bearer ${rotated.key}`)).toEqual({ ok: false, reason: 'invalid' })
  })
})

describe('a malformed API_KEYS fails closed', () => {
  it('S24 every /v1 path answers 500 server_misconfigured and one log line says why, without the configuration', async () => {
    const connection = await storeConnection({ label: 'http-fail-closed' })
    const broken = { ...env, API_KEYS: `{"${ALL.id}": {"hash": "${await secretHash(ALL.secret)}", "scopes": ["everything"]}}` } as unknown as Env
    const errors: string[] = []
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args.map(String).join(' '))
    })

    for (const route of API_ROUTES) {
      const response = await callApi(route.method, route.path(connection.connectionId), { env: broken, key: ALL.key, tenant: connection.tenant })
      expect((await problemOf(response, 500)).code).toBe('server_misconfigured')
    }
    expect((await problemOf(await callApi('GET', '/v1/openapi.json', { env: broken }), 500)).code).toBe('server_misconfigured')

    expect(errors).toEqual([`latchkey: API_KEYS key ${ALL.id}: scopes must be a non-empty list of ${ALL_SCOPES.join(', ')}; the HTTP API refuses every call until it is fixed.`])
    expect((await connection.scenario.log()).requests).toEqual([])
  })
})
