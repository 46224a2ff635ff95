/**
 * The registry as registry.json holds it (src/registry/serialized-registry.ts): every connector
 * stays JSON text until a lookup touches it, is decoded once, and decodes back to exactly what
 * the compiler produced; unknown keys and prototype names find nothing and decode nothing.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { lazyRegistry, REGISTRY_FORMAT_VERSION } from '../../src/registry/serialized-registry.ts'
import type { CompiledConnector } from '../../src/registry/types.ts'
import { compileFiles, removeTrees, VALID_SPEC, validConnector } from '../compiler/connector-tree.ts'

afterAll(removeTrees)

const TWO_WAYS_SPEC = `name: Two ways
auth:
  makeApiClient: {type: mapping}
  test: {type: javascript}
  options:
    api-key:
      type: client-credentials
      title: API key
    oauth: {type: oauth2, getOAuthConfig: {type: mapping}}
`

/** Compiles three connectors (one with auth options); returns registry.json's text and the compiled connectors. */
async function compiled(): Promise<{ file: string; connectors: CompiledConnector[] }> {
  const { messages, files, connectors } = await compileFiles({
    ...validConnector('zeta'),
    ...validConnector('alpha', VALID_SPEC.replace('name: Demo', 'name: Alpha')),
    ...validConnector('two-ways', TWO_WAYS_SPEC),
  })
  expect(messages).toEqual([])
  return { file: files.get('registry.json') ?? '', connectors }
}

/** A registry over `file` that records every text it decodes. */
function counting(file: string): { registry: ReturnType<typeof lazyRegistry>; decoded: string[] } {
  const decoded: string[] = []
  const registry = lazyRegistry(JSON.parse(file), (text) => {
    decoded.push(text)
    return JSON.parse(text)
  })
  return { registry, decoded }
}

describe('the serialized registry', () => {
  it('decodes a connector only when asked, once, and its methods only when read', async () => {
    const { file } = await compiled()
    const { registry, decoded } = counting(file)
    expect(decoded).toEqual([])

    const alpha = registry.find('alpha')
    expect(alpha?.name).toBe('Alpha')
    expect(decoded).toHaveLength(1)
    expect(alpha?.auth.type).toBe('oauth2')
    expect(decoded).toHaveLength(1)

    expect(alpha?.auth.methods.getOAuthConfig?.implementationType).toBe('mapping')
    expect(decoded).toHaveLength(2)
    expect(alpha?.auth.methods.test).toMatchObject({ implementationType: 'javascript', moduleId: 'alpha/test' })

    expect(registry.find('alpha')).toBe(alpha)
    expect(decoded).toHaveLength(2)
    // Only alpha's texts were touched.
    expect(decoded.every((text) => text.includes('"alpha') || text.includes('alpha/'))).toBe(true)
  })

  it('decodes the methods of every auth option with one parse, on the first read of any', async () => {
    const { file } = await compiled()
    const { registry, decoded } = counting(file)
    const twoWays = registry.find('two-ways')
    expect(Object.keys(twoWays?.auth.options ?? {})).toEqual(['api-key', 'oauth'])
    expect(twoWays?.auth.options?.['api-key']?.title).toBe('API key')
    expect(decoded).toHaveLength(1)
    expect(twoWays?.auth.options?.['oauth']?.methods.getOAuthConfig?.implementationType).toBe('mapping')
    expect(twoWays?.auth.options?.['api-key']?.methods.makeApiClient?.implementationType).toBe('mapping')
    expect(twoWays?.auth.methods.makeApiClient?.implementationType).toBe('mapping')
    expect(decoded).toHaveLength(2)
  })

  it('decodes back to exactly the compiled connectors, key order included', async () => {
    const { file, connectors } = await compiled()
    const { registry } = counting(file)
    const byKey = new Map(connectors.map((connector) => [connector.key, connector]))
    for (const key of ['alpha', 'two-ways', 'zeta']) {
      const original = byKey.get(key)
      expect(registry.find(key)).toEqual(original)
      expect(JSON.stringify(registry.find(key))).toBe(JSON.stringify(original))
    }
  })

  it('finds nothing and decodes nothing for unknown keys and prototype names', async () => {
    const { file } = await compiled()
    const { registry, decoded } = counting(file)
    for (const key of ['missing', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', 'ALPHA']) {
      expect(registry.find(key), key).toBeUndefined()
    }
    expect(decoded).toEqual([])
  })

  it('lists every connector sorted by key, decoding heads but no methods', async () => {
    const { file } = await compiled()
    const { registry, decoded } = counting(file)
    const listed = registry.list()
    expect(listed.map((connector) => connector.key)).toEqual(['alpha', 'two-ways', 'zeta'])
    expect(listed.map((connector) => connector.name)).toEqual(['Alpha', 'Two ways', 'Demo'])
    expect(decoded).toHaveLength(3)
    expect(registry.find('zeta')).toBe(listed[2])
    expect(registry.list()).toEqual(listed)
    expect(decoded).toHaveLength(3)
  })

  it('keeps a value assigned to methods (the getter gives way to a plain property)', async () => {
    const { file } = await compiled()
    const { registry, decoded } = counting(file)
    const zeta = registry.find('zeta') as CompiledConnector
    zeta.auth.methods = {}
    expect(zeta.auth.methods).toEqual({})
    expect(decoded).toHaveLength(1)
    expect(Object.getOwnPropertyDescriptor(zeta.auth, 'methods')).toMatchObject({ value: {}, enumerable: true, writable: true })
  })

  it('refuses a registry.json of another format, naming the fix', () => {
    const stale = lazyRegistry({ formatVersion: 1, connectors: { alpha: { key: 'alpha' } } })
    expect(() => stale.find('alpha')).toThrow(`not a format ${REGISTRY_FORMAT_VERSION} registry: run npm run build`)
    expect(() => stale.list()).toThrow('npm run build')
  })
})
