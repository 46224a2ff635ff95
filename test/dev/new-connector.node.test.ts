/**
 * `npm run new-connector` (scripts/new-connector.ts): the skeleton of each auth type compiles
 * as it is, without a warning, and every file matches its published schema through its
 * modeline; a bad, reserved or existing key is refused and nothing is written.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { compileConnectors } from '../../scripts/compiler/compile.ts'
import { formatDiagnostic } from '../../scripts/compiler/diagnostics.ts'
import { AUTH_TYPES } from '../../src/registry/types.ts'
import { connectorFileProblems, SCHEMA_DIR, schemaFor } from '../compiler/connector-schemas.ts'
import { listFiles } from '../compiler/connector-tree.ts'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CLI = path.join(PROJECT_ROOT, 'scripts/new-connector.ts')
const TSX = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx')

const roots: string[] = []
afterAll(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

/** A fresh project folder with an empty `connectors/`. */
function newProject(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'latchkey-new-connector-'))
  roots.push(root)
  mkdirSync(path.join(root, 'connectors'))
  return root
}

function runCli(args: string[], cwd = PROJECT_ROOT): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(TSX, [CLI, ...args], { cwd, encoding: 'utf8' })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('npm run new-connector', () => {
  it.each(AUTH_TYPES)('writes a %s skeleton that compiles without a warning and matches its schemas', async (type) => {
    const root = newProject()
    const run = runCli(['acme-crm', '--type', type, '--dir', path.join(root, 'connectors')])
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(run.stdout.trimEnd().split('\n').length).toBeLessThanOrEqual(10)

    const result = await compileConnectors({ rootDir: root, sourceDirs: ['connectors'], outDir: 'out' })
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([])
    expect(result.connectors.map((connector) => [connector.key, connector.name, connector.auth.type])).toEqual([['acme-crm', 'Acme Crm', type]])
    // A discovered connection is trusted by how its token was obtained: its skeleton has no test (read-auth-block.ts).
    if (type === 'oauth2-discovered') expect(result.connectors[0]?.auth.methods.test).toBeUndefined()
    else expect(result.connectors[0]?.auth.methods.test).toMatchObject({ implementationType: 'rest-api-mapping', method: 'GET' })

    const folder = path.join(root, 'connectors/acme-crm')
    const files = listFiles(folder)
    expect(files).toContain('spec.yml')
    for (const file of files) {
      const text = readFileSync(path.join(folder, file), 'utf8')
      expect(connectorFileProblems(file, text)).toEqual([])
      const schemaPath = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text)?.[1] ?? ''
      expect(path.resolve(path.dirname(path.join(folder, file)), schemaPath)).toBe(path.join(SCHEMA_DIR, schemaFor(file)))
    }
  })

  it('names the Worker variables to set and the callback to register', () => {
    const root = newProject()
    const run = runCli(['acme-crm', '--dir', path.join(root, 'connectors')])
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('ACME_CRM__CLIENT_ID and ACME_CRM__CLIENT_SECRET')
    expect(run.stdout).toContain('http://localhost:8787/oauth/callback')
    expect(readFileSync(path.join(root, 'connectors/acme-crm/spec.yml'), 'utf8')).toContain('ACME_CRM__CLIENT_ID')
  })

  it('writes a --name that needs YAML quoting as given', async () => {
    const root = newProject()
    expect(runCli(['acme', '--name', 'Acme: "CRM" #1', '--dir', path.join(root, 'connectors')]).status).toBe(0)
    const result = await compileConnectors({ rootDir: root, sourceDirs: ['connectors'], outDir: 'out' })
    expect(result.connectors[0]?.name).toBe('Acme: "CRM" #1')
  })

  it.each<[string, string[], RegExp]>([
    ['a key that is not kebab-case', ['AcmeCrm'], /"AcmeCrm" is not a connector key: use kebab-case .* e\.g\. acme-crm/],
    ['a key with an underscore', ['acme_crm'], /"acme_crm" is not a connector key/],
    ['a reserved key', ['credentials'], /"credentials" is reserved/],
    ['an unknown auth type', ['acme', '--type', 'oauth3'], /--type "oauth3" is not an auth type: use oauth2, client-credentials, oauth1/],
    ['a name on two lines', ['acme', '--name', 'Acme\nCRM'], /--name: the name must be one line of text/],
  ])('refuses %s and writes nothing', (_case, args, message) => {
    const root = newProject()
    const run = runCli([...args, '--dir', path.join(root, 'connectors')])
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(message)
    expect(listFiles(root)).toEqual([])
  })

  it('refuses a key whose folder exists, leaving it as it was', () => {
    const root = newProject()
    const dir = path.join(root, 'connectors')
    expect(runCli(['acme', '--type', 'client-credentials', '--dir', dir]).status).toBe(0)
    const before = listFiles(root).map((file) => [file, readFileSync(path.join(root, file), 'utf8')])
    const run = runCli(['acme', '--dir', dir])
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/acme already exists: choose another key/)
    expect(listFiles(root).map((file) => [file, readFileSync(path.join(root, file), 'utf8')])).toEqual(before)
  })

  it.each([
    ['an example connector', 'github', 'connectors/github already exists'],
    ['the demo connector npm start compiles beside them', 'demo', 'examples/demo/connectors/demo already exists'],
  ])('refuses the key of %s in the default folder', (_case, key, message) => {
    const run = runCli([key])
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(message)
  })

  it('asks for exactly one key', () => {
    const run = runCli(['--type', 'oauth2'])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('usage: npm run new-connector -- <key>')
  })
})
