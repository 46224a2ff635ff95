/**
 * The JSON Schemas of spec.yml, read and checked: `optionalSchema` for any of them, and
 * `readInputSchema` for the connection input form (what the end user enters when
 * connecting, e.g. a subdomain). That form has three spellings: `auth.inputSchema`
 * (current), `auth.ui.schema` (older), and a top-level `ui.schema`, where exported specs
 * (Gusto, QuickBooks) and older connectors keep it.
 */
import type { JsonSchema } from '../../src/registry/types.ts'
import type { Diagnostic } from './diagnostics.ts'
import { didYouMean } from '../../src/did-you-mean.ts'
import { isRecord } from '../../src/is-record.ts'
import { checkJsonSchema } from './json-schema-check.ts'
import { diagnosticAt } from './yaml-source.ts'
import type { YamlPath, YamlSource } from './yaml-source.ts'

// `description` and `helpUri` tell the user where to find what the form asks; accepted so
// real specs compile, though the connect page shows only the form's own fields.
const UI_KEYS = ['schema', 'description', 'helpUri']

/** One place the form may be written, in order of preference. */
interface Spelling {
  parent: Record<string, unknown>
  parentPath: YamlPath
  key: string
  label: string
}

/**
 * The connection input schema of the spec whose root is `root` and auth section `auth`,
 * from whichever spelling is used; two spellings at once are an error (keep the newest).
 */
export function readInputSchema(
  root: Record<string, unknown>,
  auth: Record<string, unknown>,
  source: YamlSource,
  diagnostics: Diagnostic[],
  authPath: YamlPath = ['auth'],
): JsonSchema | undefined {
  const prefix = authPath.length === 0 ? '' : `${authPath.join('.')}.`
  const authUi = readUi(auth.ui, [...authPath, 'ui'], source, diagnostics)
  // A flat spec (auth settings at the top level) has one `ui`: it is the auth section's.
  const topUi = authPath.length === 0 ? undefined : readUi(root.ui, ['ui'], source, diagnostics)
  const spellings: Spelling[] = [
    { parent: auth, parentPath: authPath, key: 'inputSchema', label: `${prefix}inputSchema` },
    ...(authUi ? [{ parent: authUi, parentPath: [...authPath, 'ui'], key: 'schema', label: `${prefix}ui.schema` }] : []),
    ...(topUi ? [{ parent: topUi, parentPath: ['ui'], key: 'schema', label: 'ui.schema' }] : []),
  ]
  const written = spellings.filter((spelling) => spelling.parent[spelling.key] !== undefined)
  const [chosen, ...others] = written
  if (!chosen) return undefined
  if (others.length > 0) {
    for (const other of others) {
      diagnostics.push(
        diagnosticAt(
          source,
          [...other.parentPath, other.key],
          `${other.label} and ${chosen.label} both describe the connection input: keep ${chosen.label} (ui.schema is its older spelling)`,
          {
            target: 'key',
          },
        ),
      )
    }
    return undefined
  }
  return optionalSchema(chosen.parent, chosen.key, chosen.parentPath, source, diagnostics, chosen.label)
}

// A `ui` section (at `path`), checked; undefined when absent or not a mapping.
function readUi(ui: unknown, path: YamlPath, source: YamlSource, diagnostics: Diagnostic[]): Record<string, unknown> | undefined {
  const label = path.join('.')
  if (ui === undefined) return undefined
  if (!isRecord(ui)) {
    diagnostics.push(diagnosticAt(source, path, `${label} must be a mapping with schema (the older spelling of auth.inputSchema)`))
    return undefined
  }
  for (const [key, value] of Object.entries(ui)) {
    if (!UI_KEYS.includes(key)) {
      diagnostics.push(diagnosticAt(source, [...path, key], `unknown key ${label}.${key}${didYouMean(key, UI_KEYS)} (allowed: ${UI_KEYS.join(', ')})`, { target: 'key' }))
    } else if (key !== 'schema' && value !== null && typeof value !== 'string') {
      diagnostics.push(diagnosticAt(source, [...path, key], `${label}.${key} must be a string`))
    }
  }
  return ui
}

/**
 * The JSON Schema at `parent[key]` (`parentPath` in `source`), checked against draft-07;
 * undefined when absent or invalid (then every problem is added to `diagnostics`).
 */
export function optionalSchema(
  parent: Record<string, unknown>,
  key: string,
  parentPath: YamlPath,
  source: YamlSource,
  diagnostics: Diagnostic[],
  label = [...parentPath, key].join('.'),
): JsonSchema | undefined {
  const schema = parent[key]
  if (schema === undefined) return undefined
  const problems = checkJsonSchema(source, [...parentPath, key], schema, label)
  if (problems.length > 0) {
    diagnostics.push(...problems)
    return undefined
  }
  if (!isRecord(schema)) {
    diagnostics.push(diagnosticAt(source, [...parentPath, key], `${label} must be a JSON Schema object, e.g. {type: object, properties: {...}}`))
    return undefined
  }
  return schema
}
