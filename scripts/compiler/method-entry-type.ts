/**
 * The implementation type of one method entry of `auth`: `type:` (Membrane's current docs)
 * or `implementationType:` (older specs and exports), which are synonyms. Also says which
 * methods each type can implement: a `rest-api-mapping` is a request through the
 * connection's API client, so only methods that run with a stored connection may use it.
 */
import type { MethodName } from '../../src/registry/types.ts'
import type { Diagnostic } from './diagnostics.ts'
import { didYouMean } from '../../src/did-you-mean.ts'
import { diagnosticAt } from './yaml-source.ts'
import type { YamlPath, YamlSource } from './yaml-source.ts'

/** Implementation types Latchkey runs. */
export const IMPLEMENTATION_TYPES = ['mapping', 'javascript', 'rest-api-mapping'] as const

/** One of `IMPLEMENTATION_TYPES`. */
export type ImplementationType = (typeof IMPLEMENTATION_TYPES)[number]

/** The two spellings of the key that holds the implementation type. */
export type TypeKey = 'type' | 'implementationType'

/** Methods that run with a stored connection and its API client: the only ones a rest-api-mapping can implement. */
export const REST_API_MAPPING_METHODS: readonly MethodName[] = ['test', 'disconnect']

// Types of the format that need the platform's API definition (`api:`, operations), which
// Latchkey does not load: say so, instead of only listing what is allowed.
const PLATFORM_TYPES: Readonly<Record<string, string>> = {
  'operation-mapping': "it calls an operation of the connector's API definition, which Latchkey does not load",
  'graphql-api-mapping': 'GraphQL requests are not supported yet',
}

/** What a method entry says about its type; `typeKey` is the spelling to use in messages. */
export type EntryType = { ok: true; type: ImplementationType; typeKey: TypeKey } | { ok: false; diagnostics: Diagnostic[] }

/**
 * Reads the type of the entry at `entryPath` (`auth.<key>`, `auth.options.<option>.<key>`) of `spec.yml`, written as
 * `type` or `implementationType` (both may be set when equal), and checks that `method`
 * can be implemented with it.
 */
export function readEntryType(source: YamlSource, entryPath: YamlPath, entryKey: string, method: MethodName, entry: Record<string, unknown>): EntryType {
  const fail = (path: YamlPath, message: string, target: 'key' | 'value' = 'value'): EntryType => ({
    ok: false,
    diagnostics: [diagnosticAt(source, path, message, { target })],
  })
  // `auth.test` for the auth level and flat specs alike; an option's entry by its whole path.
  const label = entryPath.length <= 1 ? `auth.${entryKey}` : entryPath.join('.')
  const { type, implementationType } = entry
  if (type !== undefined && implementationType !== undefined && type !== implementationType) {
    return fail(
      [...entryPath, 'type'],
      `${label} has type ${JSON.stringify(type)} and implementationType ${JSON.stringify(implementationType)}: they are the same setting (implementationType is its older spelling); keep one`,
      'key',
    )
  }
  const typeKey: TypeKey = type !== undefined ? 'type' : 'implementationType'
  const value = type ?? implementationType
  if (value === undefined) {
    return fail(entryPath, `${label} has no type: write type: (or its older spelling implementationType:) with one of ${IMPLEMENTATION_TYPES.join(', ')}`, 'key')
  }
  if (!isImplementationType(value)) {
    const platform = typeof value === 'string' ? PLATFORM_TYPES[value] : undefined
    // A test is optional (real exports have none): one Latchkey cannot run is left out, loudly,
    // so the export still compiles (Freshbooks' test is an operation-mapping).
    if (platform && method === 'test') {
      const message = `${typeKey} ${JSON.stringify(value)} cannot run in Latchkey (${platform}): the build leaves ${entryKey} out, and connections are reported connected without checking the credentials; write it as rest-api-mapping or javascript to have one`
      return { ok: false, diagnostics: [diagnosticAt(source, [...entryPath, typeKey], message, { severity: 'warning' })] }
    }
    const typo = typeof value === 'string' && !platform ? didYouMean(value, IMPLEMENTATION_TYPES) : ''
    const rewrite = REST_API_MAPPING_METHODS.includes(method) ? 'rest-api-mapping (a request through the API client) or javascript' : 'mapping or javascript'
    const why = platform ? `: ${platform}; write ${entryKey} as ${rewrite}` : ''
    return fail([...entryPath, typeKey], `${typeKey} ${JSON.stringify(value)} cannot run in Latchkey${typo} (allowed: ${IMPLEMENTATION_TYPES.join(', ')})${why}`)
  }
  if (value === 'rest-api-mapping' && !REST_API_MAPPING_METHODS.includes(method)) {
    return fail(
      [...entryPath, typeKey],
      `${typeKey} rest-api-mapping is a request through the connection's API client, so only ${REST_API_MAPPING_METHODS.join(' and ')} can use it; write ${entryKey} as mapping or javascript`,
    )
  }
  return { ok: true, type: value, typeKey }
}

function isImplementationType(value: unknown): value is ImplementationType {
  return (IMPLEMENTATION_TYPES as readonly unknown[]).includes(value)
}
