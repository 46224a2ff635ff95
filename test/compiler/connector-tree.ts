/**
 * Test helpers for the connector compiler: writes connector folders into a fresh temp
 * project and compiles it, so diagnostics read `connectors/<key>/...:line:col`.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { compileConnectors } from '../../scripts/compiler/compile.ts'
import type { CompileResult } from '../../scripts/compiler/compile.ts'
import { formatDiagnostic } from '../../scripts/compiler/diagnostics.ts'

/** Files by path relative to the project root, e.g. `connectors/demo/spec.yml`. */
export type Tree = Record<string, string>

/** A minimal valid oauth2 spec.yml; methods live in the conventional auth/ files of `validConnector`. */
export const VALID_SPEC = `name: Demo
auth:
  type: oauth2
  getOAuthConfig:
    implementationType: mapping
  makeApiClient:
    implementationType: mapping
  test:
    implementationType: javascript
`

/**
 * A valid connector `key`: `spec` (default VALID_SPEC) plus the conventional method files;
 * `files` (paths inside the connector folder) replace them, `null` removes one.
 */
export function validConnector(key: string, spec = VALID_SPEC, files: Record<string, string | null> = {}): Tree {
  const base: Record<string, string | null> = {
    'auth/get-oauth-config.map.yml': 'clientId: {$var: connectorParameters.clientId}\nauthorizeUri: https://example.test/authorize\ntokenUri: https://example.test/token\n',
    'auth/make-api-client.map.yml': "baseUri: https://api.example.test\nheaders:\n  Authorization: {$concat: ['Bearer ', {$var: credentials.access_token}]}\n",
    'auth/test.js': 'export default async function test() {\n  return true\n}\n',
    ...files,
  }
  const present = Object.entries(base).flatMap(([file, content]) => (content === null ? [] : [[file, content] as const]))
  return Object.fromEntries([['spec.yml', spec] as const, ...present].map(([file, content]) => [`connectors/${key}/${file}`, content]))
}

const createdRoots: string[] = []

/** Writes `tree` into a new temp folder and returns its path (removed by `removeTrees`). */
export function writeTree(tree: Tree): string {
  const root = mkdtempSync(path.join(tmpdir(), 'latchkey-compiler-'))
  createdRoots.push(root)
  for (const [file, content] of Object.entries(tree)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), content)
  }
  return root
}

/** Compiles `connectors/` of `root` into `root/out` in memory. */
export function compileTree(root: string, sourceDirs: readonly string[] = ['connectors']): Promise<CompileResult> {
  return compileConnectors({ rootDir: root, sourceDirs, outDir: 'out' })
}

/** Writes and compiles `tree`; diagnostics come back formatted as `file:line:col message`. */
export async function compileFiles(tree: Tree): Promise<CompileResult & { root: string; messages: string[] }> {
  const root = writeTree(tree)
  const result = await compileTree(root)
  return { ...result, root, messages: result.diagnostics.map(formatDiagnostic) }
}

/** Removes every temp folder `writeTree` created (call in afterAll). */
export function removeTrees(): void {
  for (const root of createdRoots.splice(0)) rmSync(root, { recursive: true, force: true })
}

/** Files under `dir`, relative to it with `/` separators, sorted. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort()
}
