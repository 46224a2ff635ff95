/**
 * The Node example (examples/node-backend/) against the real Worker over real HTTP: the same
 * servers `npm start` runs (scripts/dev/local-demo.ts, on free ports), with API keys made by
 * `npm run api-key`'s own code (scripts/api-key.ts) in API_KEYS, and the workerd tests' upstream
 * (test/setup/upstream-servers.ts, started by hand) as the provider of the fixture connectors
 * test-api-key and test-cc-grant. The example's functions create connections over HTTP, list
 * them, read an access token and credentials, call the provider through the proxy, and turn
 * problem+json refusals into their stable codes; its program runs as a person would run it.
 *
 * Also: the example's generated types (latchkey-api.d.ts) are what `npm run example:types`
 * makes of the committed docs/openapi.json.
 */
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callProviderApi, createConnection, getAccessToken, getCredentials, listConnections } from '../../examples/node-backend/src/connections.ts'
import { createLatchkeyClient, type ConnectionSummary, type LatchkeyClient } from '../../examples/node-backend/src/latchkey-client.ts'
import { apiKeysJson, newApiKey, type NewApiKey } from '../../scripts/api-key.ts'
import { startLocalWorker, type LocalWorker } from '../support/local-worker.ts'

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))
const EXAMPLE_DIR = path.join(ROOT_DIR, 'examples/node-backend')
const GENERATED_TYPES = 'examples/node-backend/src/latchkey-api.d.ts'
/** Bounds a wrangler dev start on a busy machine (its first bundle dominates); everything waits for events. */
const START_TIMEOUT_MS = 240_000
const run = promisify(execFile)

describe('the example’s generated client types', () => {
  it('are what `npm run example:types` makes of docs/openapi.json', async () => {
    const generated = await run(process.execPath, [path.join(ROOT_DIR, 'node_modules/openapi-typescript/bin/cli.js'), 'docs/openapi.json'], { cwd: ROOT_DIR })
    const formatted = await runWithInput(path.join(ROOT_DIR, 'node_modules/.bin/biome'), ['format', `--stdin-file-path=${GENERATED_TYPES}`], generated.stdout)
    expect(formatted).toContain("'/v1/connections/{id}/access-token'")
    expect(readFileSync(path.join(ROOT_DIR, GENERATED_TYPES), 'utf8'), 'run `npm run example:types` after `npm run openapi`').toBe(formatted)
  })
})

describe('the Node example against the Worker over HTTP', () => {
  /** The tenants the example's key may name. */
  const TENANT_PREFIX = 'node-'
  let worker: LocalWorker | undefined
  /** Every scope, tenants starting with TENANT_PREFIX. */
  let key: NewApiKey
  /** connections:read only, every tenant. */
  let readOnlyKey: NewApiKey
  let client: LatchkeyClient

  beforeAll(async () => {
    ;[key, readOnlyKey] = await Promise.all([
      newApiKey({ name: 'Node example', scopes: ['connections:read', 'connections:write', 'tokens:read', 'proxy'], tenants: TENANT_PREFIX }),
      newApiKey({ name: 'Read only', scopes: ['connections:read'] }),
    ])
    worker = await startLocalWorker({
      extraVars: (upstreamOrigin) => ({
        TEST_API_KEY__UPSTREAM_ORIGIN: upstreamOrigin,
        TEST_CC_GRANT__UPSTREAM_ORIGIN: upstreamOrigin,
        API_KEYS: apiKeysJson({ [key.id]: key.entry, [readOnlyKey.id]: readOnlyKey.entry }),
      }),
      // Every check is made over HTTP; wrangler's own lines are not needed.
      onWranglerOutput: () => {},
    })
    client = createLatchkeyClient({ baseUrl: worker.demo.workerOrigin, apiKey: key.key })
  }, START_TIMEOUT_MS)

  afterAll(async () => {
    await worker?.stop()
  }, START_TIMEOUT_MS)

  function localWorker(): LocalWorker {
    if (worker === undefined) throw new Error('the local demo did not start')
    return worker
  }

  function upstream(): string {
    return localWorker().upstreamOrigin
  }

  function workerOrigin(): string {
    return localWorker().demo.workerOrigin
  }

  /** What the upstream received for `scenario` under `path`. */
  async function upstreamRequests(scenario: string, requestPath: string): Promise<Array<{ method: string; path: string; headers: Record<string, string> }>> {
    const response = await fetch(`${upstream()}/s/${scenario}/_control/log`)
    const log = (await response.json()) as { requests: Array<{ method: string; path: string; headers: Record<string, string> }> }
    return log.requests.filter((request) => request.path === requestPath)
  }

  /** A test-api-key connection of a new tenant (under the key's prefix), with a key the upstream accepts. */
  async function apiKeyConnection(label: string): Promise<{ tenant: string; scenario: string; providerKey: string; connection: ConnectionSummary }> {
    const [tenant, scenario] = [`${TENANT_PREFIX}${label}-${randomUUID()}`, `node-${label}-${randomUUID()}`]
    const providerKey = await localWorker().grantedKey(scenario)
    const connection = await createConnection(client, tenant, { connectorKey: 'test-api-key', connectionInput: { scenario, region: 'eu', apiKey: providerKey } })
    return { tenant, scenario, providerKey, connection }
  }

  it('creates a connection from a key the provider accepts, lists it, reads its credentials and calls the provider through the proxy', async () => {
    const { tenant, scenario, providerKey, connection } = await apiKeyConnection('flow')
    expect(connection).toMatchObject({ connectorKey: 'test-api-key', tenant, status: 'connected', testResult: { ok: true } })

    expect((await listConnections(client, tenant)).map((listed) => listed.connectionId)).toEqual([connection.connectionId])
    expect(await getCredentials(client, tenant, connection.connectionId)).toMatchObject({ apiKey: providerKey })
    // Typed credentials are no access token: the example reads the code and uses the proxy instead.
    await expect(getAccessToken(client, tenant, connection.connectionId)).rejects.toMatchObject({ name: 'LatchkeyApiError', code: 'invalid_request', status: 400 })

    expect(await callProviderApi(client, tenant, connection.connectionId, 'me')).toEqual({ status: 200, body: { ok: true, method: 'GET', path: '/api/me', sub: 'user-1' } })
    // A path with slashes stays segments; each segment is percent-encoded once.
    expect(await callProviderApi(client, tenant, connection.connectionId, 'reports/2026 q1')).toMatchObject({ status: 200, body: { path: '/api/reports/2026%20q1' } })

    const proxied = (await upstreamRequests(scenario, '/api/me')).at(-1)
    expect(proxied?.headers['authorization']).toBe(`Bearer ${providerKey}`)
    // Latchkey's API key and tenant header stay with Latchkey.
    expect(JSON.stringify(proxied?.headers)).not.toContain(key.key.slice(3))
    expect(proxied?.headers).not.toHaveProperty('latchkey-tenant')
  })

  it('gets the access token of an OAuth2 client-credentials connection: the one the proxy sends', async () => {
    const [tenant, scenario] = [`${TENANT_PREFIX}token-${randomUUID()}`, `node-token-${randomUUID()}`]
    const grantClient = { id: 'node-m2m-client', secret: 'node-m2m-secret' }
    await fetch(`${upstream()}/s/${scenario}/_control/config`, { method: 'POST', body: JSON.stringify({ client: { ...grantClient, auth: 'basic' }, expiresIn: 3600 }) })
    const connection = await createConnection(client, tenant, {
      connectorKey: 'test-cc-grant',
      connectionInput: { scenario, clientId: grantClient.id, clientSecret: grantClient.secret },
    })
    expect(connection.status).toBe('connected')

    const token = await getAccessToken(client, tenant, connection.connectionId)
    expect(token.accessToken).toMatch(/\S{16,}/)
    expect(token.expiresAt).toBeGreaterThan(Date.now())
    expect(await callProviderApi(client, tenant, connection.connectionId, 'api/me')).toMatchObject({ status: 200, body: { ok: true } })
    expect((await upstreamRequests(scenario, '/api/me')).at(-1)?.headers['authorization']).toBe(`Bearer ${token.accessToken}`)
  })

  describe('refusals arrive as problem+json and the example throws their stable code', () => {
    let shared: Awaited<ReturnType<typeof apiKeyConnection>>
    beforeAll(async () => {
      shared = await apiKeyConnection('refusals')
    })

    it.each([
      ['a tenant outside the key’s prefix', () => listConnections(client, 'other-tenant'), 'tenant_not_allowed', 403],
      ['another tenant’s connection', () => getCredentials(client, `${TENANT_PREFIX}someone-else`, shared.connection.connectionId), 'connection_not_found', 404],
      [
        'a key without the scope',
        () => getCredentials(createLatchkeyClient({ baseUrl: workerOrigin(), apiKey: readOnlyKey.key }), shared.tenant, shared.connection.connectionId),
        'insufficient_scope',
        403,
      ],
      [
        'a key with a wrong secret',
        () => listConnections(createLatchkeyClient({ baseUrl: workerOrigin(), apiKey: `${key.key.slice(0, -4)}${key.key.endsWith('AAAA') ? 'BBBB' : 'AAAA'}` }), shared.tenant),
        'invalid_api_key',
        401,
      ],
      [
        'credentials the provider refuses',
        () => createConnection(client, shared.tenant, { connectorKey: 'test-api-key', connectionInput: { scenario: shared.scenario, region: 'eu', apiKey: 'not-a-granted-key' } }),
        'credentials_rejected',
        400,
      ],
    ])('%s', async (_case, call, code, status) => {
      await expect(call()).rejects.toMatchObject({ name: 'LatchkeyApiError', code, status })
    })
  })

  it('the example program prints each connection, its token and the provider’s answer, and names the code when refused', async () => {
    const { tenant, providerKey, connection } = await apiKeyConnection('program')
    const [served, refused] = await Promise.all([runExample({ LATCHKEY_TENANT: tenant }), runExample({ LATCHKEY_TENANT: 'other-tenant' })])

    expect(served.status).toBe(0)
    expect(served.stdout.split('\n')).toEqual([
      `Tenant ${tenant}: 1 connection`,
      `${connection.connectionId} test-api-key: connected`,
      '  access token: none (typed credentials); its API is called through the proxy',
      '  GET me through the proxy: 200 {"ok":true,"method":"GET","path":"/api/me","sub":"user-1"}',
      '',
    ])
    expect(refused.status).toBe(1)
    expect(refused.stderr).toContain('Latchkey refused: tenant_not_allowed (403)')
    for (const output of [served.stdout, served.stderr, refused.stdout, refused.stderr]) {
      expect(output).not.toContain(key.key.slice(3))
      expect(output).not.toContain(providerKey)
    }
  })

  /** Runs the example program as a person would (tsx), with the key and the Worker's URL. */
  async function runExample(environment: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
    const env = { ...process.env, LATCHKEY_URL: workerOrigin(), LATCHKEY_API_KEY: key.key, ...environment }
    try {
      const { stdout, stderr } = await run(path.join(ROOT_DIR, 'node_modules/.bin/tsx'), [path.join(EXAMPLE_DIR, 'src/main.ts')], { cwd: ROOT_DIR, env })
      return { status: 0, stdout, stderr }
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string }
      return { status: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' }
    }
  }
})

/** Runs `command` with `input` on its stdin; resolves with its stdout. */
function runWithInput(command: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { cwd: ROOT_DIR, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout)))
    child.stdin?.end(input)
  })
}
