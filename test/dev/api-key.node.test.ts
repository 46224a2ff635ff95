/**
 * `npm run api-key` (scripts/api-key.ts): the key it prints is accepted, against the entry it
 * prints, by the HTTP API's own parser and check (src/http-api/api-keys.ts); it prints the key
 * exactly once; bad scopes and names are refused with nothing on stdout; `check` tells a valid
 * API_KEYS value from one the Worker would refuse. test/http-api/node-backend.node.test.ts
 * proves the same keys against the running Worker.
 */
import { spawnSync } from 'node:child_process'
import { timingSafeEqual } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiKeysJson, checkedConfigurationText, newApiKey, parseCommandLine } from '../../scripts/api-key.ts'
import { checkApiKey, parseApiKeys, type ConfiguredApiKey } from '../../src/http-api/api-keys.ts'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CLI = path.join(PROJECT_ROOT, 'scripts/api-key.ts')
const TSX = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx')

// checkApiKey compares with workerd's crypto.subtle.timingSafeEqual, which Node lacks; this file
// lends it node:crypto's (same contract: equal-length buffers, constant time) while it runs.
const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean }
const hadTimingSafeEqual = 'timingSafeEqual' in subtle
beforeAll(() => {
  if (!hadTimingSafeEqual) Object.defineProperty(subtle, 'timingSafeEqual', { value: timingSafeEqual, configurable: true })
})

const scratch = mkdtempSync(path.join(tmpdir(), 'latchkey-api-key-'))
afterAll(() => {
  if (!hadTimingSafeEqual) Reflect.deleteProperty(subtle, 'timingSafeEqual')
  rmSync(scratch, { recursive: true, force: true })
})

function runCli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(TSX, [CLI, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', ...(input === undefined ? {} : { input }) })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** The configured keys of an `API_KEYS` value, or the parser's complaint. */
function configuredKeys(text: string): ReadonlyMap<string, ConfiguredApiKey> {
  const configuration = parseApiKeys(text)
  if (configuration.state !== 'on') throw new Error(`API_KEYS not accepted: ${JSON.stringify(configuration)}`)
  return configuration.keys
}

describe('npm run api-key -- create', () => {
  it('prints a key, once, that the API accepts against the entry and the object it prints', async () => {
    const run = runCli(['create', "Billing's backend", '--scopes', 'connections:read,tokens:read', '--tenants', 'acme-'])
    expect(run.status).toBe(0)
    const key = run.stdout.match(/^lk_[a-z0-9]{8,32}_[A-Za-z0-9_-]{43,}$/m)?.[0]
    expect(key).toBeDefined()
    expect(run.stdout.split(key!).length - 1).toBe(1)
    expect(run.stderr).not.toContain(key!.slice(3))

    const entryLine = run.stdout.split('\n').find((line) => line.startsWith('"'))!
    const object = run.stdout.split('\n').findLast((line) => line.startsWith('{'))!
    for (const value of [`{${entryLine}}`, object]) {
      const checked = await checkApiKey(configuredKeys(value), `Bearer ${key}`)
      expect(checked).toEqual({
        ok: true,
        key: { id: key!.split('_')[1], name: "Billing's backend", scopes: new Set(['connections:read', 'tokens:read']), tenantPrefix: 'acme-' },
      })
    }
    // The .dev.vars line is single-quoted: the object holds no quote that would end it.
    expect(object).not.toContain("'")
  })

  it('a key with one character of its secret changed is refused by the same check', async () => {
    const created = await newApiKey({ name: 'Reports', scopes: ['proxy'] })
    const keys = configuredKeys(apiKeysJson({ [created.id]: created.entry }))
    const last = created.key.at(-1) === 'A' ? 'B' : 'A'
    expect(await checkApiKey(keys, `Bearer ${created.key}`)).toMatchObject({ ok: true, key: { id: created.id, tenantPrefix: null } })
    expect(await checkApiKey(keys, `Bearer ${created.key.slice(0, -1)}${last}`)).toEqual({ ok: false, reason: 'invalid' })
  })

  it('makes a new id and secret each time, the secret 32 random bytes', async () => {
    const [first, second] = await Promise.all([newApiKey({ name: 'a', scopes: ['proxy'] }), newApiKey({ name: 'b', scopes: ['proxy'] })])
    expect(first.id).not.toBe(second.id)
    expect(first.entry.hash).not.toBe(second.entry.hash)
    expect(Buffer.from(first.key.split('_').slice(2).join('_'), 'base64url')).toHaveLength(32)
  })

  it.each([
    ['an unknown scope', ['--scopes', 'connections:read,admin'], /unknown scope "admin"; the scopes are connections:read, connections:write, tokens:read, proxy/],
    ['an empty scope', ['--scopes', 'tokens:read,'], /unknown scope ""/],
    ['a scope twice', ['--scopes', 'proxy,proxy'], /lists a scope twice/],
    ['an empty tenant prefix', ['--scopes', 'proxy', '--tenants', ''], /--tenants is a tenant id prefix/],
    ['a tenant prefix over 256 characters', ['--scopes', 'proxy', '--tenants', 'a'.repeat(257)], /--tenants is a tenant id prefix/],
  ])('refuses %s (exit 1)', (_case, options, message) => {
    expect(parseCommandLine(['create', 'Backend', ...options])).toEqual({ kind: 'refused', status: 1, message: expect.stringMatching(message) })
  })

  it.each([
    ['an empty name', ''],
    ['a name over 100 characters', 'n'.repeat(101)],
    ['a name on two lines', 'Back\nend'],
  ])('refuses %s (exit 1)', (_case, name) => {
    expect(parseCommandLine(['create', name, '--scopes', 'proxy'])).toEqual({
      kind: 'refused',
      status: 1,
      message: expect.stringMatching(/label of 1 to 100 characters on one line/),
    })
  })

  it.each([
    ['no --scopes', ['create', 'Backend']],
    ['no name', ['create', '--scopes', 'proxy']],
    ['two names', ['create', 'Back', 'end', '--scopes', 'proxy']],
    ['an unknown option', ['create', 'Backend', '--scopes', 'proxy', '--admin']],
    ['an unknown command', ['delete', 'Backend']],
    ['check with --scopes', ['check', '--scopes', 'proxy']],
  ])('answers %s with the usage (exit 2)', (_case, args) => {
    expect(parseCommandLine(args)).toEqual({ kind: 'refused', status: 2, message: expect.stringContaining('usage: npm run api-key -- create <name> --scopes') })
  })

  it('exits 1 on a refusal and 2 on a usage mistake, printing nothing on stdout', () => {
    const refusal = runCli(['create', 'Backend', '--scopes', 'admin'])
    expect(refusal).toEqual({ status: 1, stdout: '', stderr: expect.stringContaining('api-key: unknown scope "admin"') })
    const usage = runCli(['create', 'Backend'])
    expect(usage).toEqual({ status: 2, stdout: '', stderr: expect.stringContaining('usage: npm run api-key') })
  })
})

describe('npm run api-key -- check', () => {
  it('lists the keys of a valid API_KEYS file', async () => {
    const [first, second] = await Promise.all([newApiKey({ name: 'Billing', scopes: ['tokens:read'], tenants: 'acme-' }), newApiKey({ name: 'Reports', scopes: ['proxy'] })])
    const file = path.join(scratch, 'api-keys.json')
    writeFileSync(file, apiKeysJson({ [first.id]: first.entry, [second.id]: second.entry }))
    const run = runCli(['check', file])
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('API_KEYS is valid: 2 keys.')
    expect(run.stdout).toContain(`${first.id} ("Billing"): tokens:read; tenants starting with "acme-"`)
    expect(run.stdout).toContain(`${second.id} ("Reports"): proxy; every tenant`)
  })

  it.each([
    ['not JSON', '{"abcdefgh": ', /^API_KEYS is not valid JSON: the Worker would refuse every HTTP API call/],
    ['a hash that is not SHA-256 hex', '{"abcdefgh": {"hash": "00", "scopes": ["proxy"]}}', /^API_KEYS key abcdefgh: hash must be the SHA-256/],
    ['empty', '  ', /^API_KEYS is empty: the HTTP API stays off/],
  ])('refuses a value that is %s (exit 1)', (_case, input, message) => {
    expect(checkedConfigurationText(parseApiKeys(input))).toEqual({ status: 1, text: expect.stringMatching(message) })
  })

  it('reads stdin without a file, and exits 1 on a value the Worker would refuse', () => {
    expect(runCli(['check'], '{"abcdefgh": ')).toEqual({ status: 1, stdout: '', stderr: expect.stringContaining('API_KEYS is not valid JSON') })
  })
})
