/**
 * The HTTP API keys of the tests (test-only values: never deploy them), and the API_KEYS
 * configuration vitest.config.ts binds for them. The hashes are computed here by the documented
 * rule (SHA-256 of the secret's UTF-8, lowercase hex), independently of src/http-api/api-keys.ts,
 * so the tests also prove that rule. Pure Web Crypto: this module runs in Node (the vitest
 * config) and in workerd (the tests).
 */

/** Every scope, as the README lists them. */
export const ALL_SCOPES = ['connections:read', 'connections:write', 'tokens:read', 'proxy'] as const
export type TestScope = (typeof ALL_SCOPES)[number]

/** One configured test key. */
export interface TestApiKey {
  id: string
  scopes: readonly TestScope[]
  /** The tenant prefix the key is restricted to. */
  tenants?: string
  /** What a caller sends: `lk_<id>_<secret>`. */
  key: string
  /** The secret part of `key`. */
  secret: string
}

/** The tenant prefix of the restricted key. */
export const ACME_PREFIX = 'acme-'

/** The test keys by role. */
export const TEST_API_KEYS = {
  /** Every scope, every tenant. */
  all: testKey('testall0001', ALL_SCOPES),
  /** Every scope, tenants starting with `acme-` only. */
  acme: testKey('testacme0001', ALL_SCOPES, ACME_PREFIX),
  /** Every scope but one (the refusal table's "key without the scope"). */
  withoutConnectionsRead: testKey('noconnread01', without('connections:read')),
  withoutConnectionsWrite: testKey('noconnwrite01', without('connections:write')),
  withoutTokensRead: testKey('notokensread01', without('tokens:read')),
  withoutProxy: testKey('noproxy00001', without('proxy')),
  /** Used only by the rate-limit test, which spends its whole budget. */
  rateLimited: testKey('ratelimited01', ['connections:read']),
} as const

/** The key that has every scope except `scope`. */
export function keyWithout(scope: TestScope): TestApiKey {
  const byScope = {
    'connections:read': TEST_API_KEYS.withoutConnectionsRead,
    'connections:write': TEST_API_KEYS.withoutConnectionsWrite,
    'tokens:read': TEST_API_KEYS.withoutTokensRead,
    proxy: TEST_API_KEYS.withoutProxy,
  }
  return byScope[scope]
}

/** SHA-256 of the secret's UTF-8 as lowercase hex: what API_KEYS holds. */
export async function secretHash(secret: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)))
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** An API_KEYS value for `keys`. */
export async function apiKeysConfiguration(keys: readonly TestApiKey[]): Promise<string> {
  const entries = await Promise.all(
    keys.map(async (key) => [key.id, { hash: await secretHash(key.secret), scopes: key.scopes, ...(key.tenants === undefined ? {} : { tenants: key.tenants }) }] as const),
  )
  return JSON.stringify(Object.fromEntries(entries))
}

/** The API_KEYS binding of the workerd tests: every key above. */
export function apiKeysBinding(): Promise<string> {
  return apiKeysConfiguration(Object.values(TEST_API_KEYS))
}

function testKey(id: string, scopes: readonly TestScope[], tenants?: string): TestApiKey {
  // 43+ base64url characters, as a real secret (32 random bytes) is; obviously not one.
  const secret = `test-only-secret-${id}`.padEnd(48, '0')
  return { id, scopes, key: `lk_${id}_${secret}`, secret, ...(tenants === undefined ? {} : { tenants }) }
}

function without(scope: TestScope): TestScope[] {
  return ALL_SCOPES.filter((candidate) => candidate !== scope)
}
