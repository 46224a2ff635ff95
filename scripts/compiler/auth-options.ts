/**
 * `auth.options`: several ways to connect in one connector, keyed by option key. Each option
 * is an auth block of its own type. The methods written at the auth level are shared: an
 * option inherits each one its type allows and that it does not write itself. Forms and
 * credential schemas are not inherited (each way to connect asks for its own input).
 * Every option, once merged, is checked like a whole auth block of its type.
 */
import type { AuthType } from '../../src/registry/types.ts'
import { isRecord } from '../../src/is-record.ts'
import { allowsMethod } from './auth-types.ts'
import { hasErrors } from './diagnostics.ts'
import type { Diagnostic } from './diagnostics.ts'
import { checkBlockMethods, keyLabel, readAuthBlock, reportMissingType } from './read-auth-block.ts'
import type { AuthSettings, MethodEntry } from './read-auth-block.ts'
import { diagnosticAt } from './yaml-source.ts'
import type { YamlPath, YamlSource } from './yaml-source.ts'

/** Option keys name the option in URLs, the stored connection and module ids. */
const OPTION_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/

/** One option after merging: its own method entries plus the shared ones it inherits. */
export interface LoadedOption {
  key: string
  type: AuthType
  settings: AuthSettings
  methods: MethodEntry[]
}

/**
 * Reads `options` (at `path`, e.g. `['auth', 'options']`), merging the `shared` method entries
 * of the auth level into each option; `undefined` when anything is wrong (all reported).
 */
export function readAuthOptions(source: YamlSource, options: unknown, path: YamlPath, shared: readonly MethodEntry[], diagnostics: Diagnostic[]): LoadedOption[] | undefined {
  const label = path.join('.')
  const errorsBefore = diagnostics.length
  const report = (at: YamlPath, message: string, target: 'key' | 'value' = 'value'): void => {
    diagnostics.push(diagnosticAt(source, at, message, { target }))
  }
  if (!isRecord(options) || Object.keys(options).length === 0) {
    report(
      path,
      `${label} must map option keys to auth blocks, e.g. api-key: {type: client-credentials, inputSchema: ...}; with one way to connect, write it directly under ${path.slice(0, -1).join('.') || 'the top level'} and remove options`,
    )
    return undefined
  }
  const loaded: LoadedOption[] = []
  const seen = new Map<string, string>()
  for (const [key, value] of Object.entries(options)) {
    const at = [...path, key]
    if (!OPTION_KEY.test(key)) {
      report(at, `option key ${JSON.stringify(key)} must be 1 to 64 letters, digits, - or _, starting with a letter or digit, e.g. api-key`, 'key')
      continue
    }
    const twin = seen.get(key.toLowerCase())
    if (twin !== undefined) {
      report(at, `option keys ${twin} and ${key} differ only in case: rename one (they name generated files and URLs)`, 'key')
      continue
    }
    seen.set(key.toLowerCase(), key)
    if (!isRecord(value)) {
      report(at, `${keyLabel(path, key)} must be an auth block with its type, e.g. {type: client-credentials}`)
      continue
    }
    const block = readAuthBlock(source, value, { path: at, extraKeys: [], option: key }, diagnostics)
    if (!block) continue
    if (block.type === undefined) {
      reportMissingType(source, at, diagnostics)
      continue
    }
    const type = block.type
    const inherited = shared.filter((entry) => allowsMethod(type, entry.method) && !block.methods.some((own) => own.method === entry.method))
    const methods = checkBlockMethods(source, at, type, block.methods, inherited, diagnostics)
    loaded.push({ key, type, settings: block.settings, methods })
  }
  // With a broken option, which option runs a shared method is not known yet.
  if (hasErrors(diagnostics.slice(errorsBefore))) return undefined
  checkSharedMethods(source, shared, loaded, diagnostics)
  return hasErrors(diagnostics.slice(errorsBefore)) ? undefined : loaded
}

// A shared method no option runs is a mistake the author should see.
function checkSharedMethods(source: YamlSource, shared: readonly MethodEntry[], options: readonly LoadedOption[], diagnostics: Diagnostic[]): void {
  for (const entry of shared) {
    if (options.some((option) => option.methods.includes(entry))) continue
    const label = entry.path.join('.')
    const types = [...new Set(options.map((option) => option.type))]
    const allowed = types.some((type) => allowsMethod(type, entry.method))
    diagnostics.push(
      allowed
        ? diagnosticAt(source, entry.path, `every option writes its own ${entry.method}: the shared ${label} is never run; remove it`, { target: 'key', severity: 'warning' })
        : diagnosticAt(
            source,
            entry.path,
            `${label} is shared by every option, but no option's type (${types.join(', ')}) has ${entry.method}: move it into an option of a type that has it, or remove it`,
            { target: 'key' },
          ),
    )
  }
}
