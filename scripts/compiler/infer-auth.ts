/**
 * The older connector layout (e.g. integration-app/pipedrive-connector): spec.yml has no auth
 * section, and the files under `auth/` are the whole definition, found by their conventional
 * names. An `auth/get-oauth-config.*` makes it an oauth2 connector; `auth/ui.yml` is the
 * connection input form.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { AUTH_METHODS } from '../../src/registry/types.ts'
import type { Diagnostic } from './diagnostics.ts'
import type { InferredAuth } from './load-spec.ts'
import { conventionalBaseNames } from './method-names.ts'
import { parseYamlSource } from './yaml-source.ts'

const SUFFIX_TYPES: ReadonlyArray<readonly [string, 'mapping' | 'javascript']> = [
  ['.map.yml', 'mapping'],
  ['.yml', 'mapping'],
  ['.js', 'javascript'],
  ['.ts', 'javascript'],
]

/**
 * What the files in `authFiles` (names under `<dir>/auth`) imply, or `undefined` when there
 * are none. Without a getOAuthConfig file the connector is client-credentials (a form, e.g.
 * an API token, described by auth/ui.yml).
 */
export function inferAuthFromFiles(dir: string, displayDir: string, authFiles: ReadonlySet<string>): { auth: InferredAuth | undefined; diagnostics: Diagnostic[] } {
  if (authFiles.size === 0) return { auth: undefined, diagnostics: [] }
  const auth: InferredAuth = {}
  for (const method of AUTH_METHODS) {
    const found = conventionalBaseNames(method).flatMap((base) => SUFFIX_TYPES.filter(([suffix]) => authFiles.has(`${base}${suffix}`)))
    const type = found[0]?.[1]
    if (type !== undefined) auth[method] = { implementationType: type }
  }
  auth['type'] = auth['getOAuthConfig'] === undefined ? 'client-credentials' : 'oauth2'
  if (!authFiles.has('ui.yml')) return { auth, diagnostics: [] }
  const display = `${displayDir}/auth/ui.yml`
  const parsed = parseYamlSource(display, readFileSync(path.join(dir, 'auth', 'ui.yml'), 'utf8'))
  if (parsed.diagnostics.length > 0) return { auth: undefined, diagnostics: parsed.diagnostics }
  auth['ui'] = parsed.source.value
  return { auth, diagnostics: [] }
}
