/**
 * Checks the JSON Schemas a connector declares (parametersSchema, inputSchema,
 * credentialsSchema) against the draft-07 meta-schema, reporting each invalid subschema at
 * its own line and column.
 */
import { Validator } from '@cfworker/json-schema'
import type { OutputUnit, Schema } from '@cfworker/json-schema'
import draft07 from './draft-07-schema.json'
import type { Diagnostic } from './diagnostics.ts'
import { didYouMean } from '../../src/did-you-mean.ts'
import { diagnosticAt } from './yaml-source.ts'
import type { YamlPath, YamlSource } from './yaml-source.ts'

const SIMPLE_TYPES = draft07.definitions.simpleTypes.enum
const metaSchemaValidator = new Validator(draft07 as Schema, '7', false)

// Keywords that only say "something below failed"; the useful message is on a deeper unit.
const AGGREGATE_KEYWORDS = new Set([
  '$ref',
  'properties',
  'additionalProperties',
  'patternProperties',
  'dependencies',
  'propertyNames',
  'items',
  'additionalItems',
  'contains',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
])

/**
 * Validates the schema found at `path` of `source` (its plain value is `schema`); one
 * diagnostic per innermost invalid subschema, e.g. `type: strin` -> position of `strin`.
 */
export function checkJsonSchema(source: YamlSource, path: YamlPath, schema: unknown, label: string): Diagnostic[] {
  const result = metaSchemaValidator.validate(schema)
  if (result.valid) return []
  const byLocation = new Map<string, OutputUnit[]>()
  for (const unit of result.errors) {
    const units = byLocation.get(unit.instanceLocation) ?? []
    units.push(unit)
    byLocation.set(unit.instanceLocation, units)
  }
  const locations = [...byLocation.keys()]
  const innermost = locations.filter((location) => !locations.some((other) => other.startsWith(`${location}/`)))
  return innermost.map((location) => {
    const segments = pointerSegments(location)
    const units = byLocation.get(location) ?? []
    const where = [label, ...segments].join('.')
    const value = valueAt(schema, segments)
    const message = units.some((unit) => unit.keywordLocation.includes('/properties/type/'))
      ? `${where}: ${JSON.stringify(value)} is not a JSON Schema type${typeof value === 'string' ? didYouMean(value, SIMPLE_TYPES) : ''}; allowed: ${SIMPLE_TYPES.join(', ')}, or a list of them`
      : `${where} is not valid JSON Schema (draft-07): ${describe(units)}`
    return diagnosticAt(source, [...path, ...segments], message)
  })
}

function describe(units: OutputUnit[]): string {
  const leaves = units.filter((unit) => !AGGREGATE_KEYWORDS.has(unit.keyword))
  const chosen = leaves.length > 0 ? leaves : units
  return chosen.map((unit) => unit.error.replace(/^Instance /, '').replace(/\.$/, '')).join('; or ')
}

// `#/properties/a~1b/type` -> ['properties', 'a/b', 'type'] (cfworker URI-encodes each segment).
function pointerSegments(location: string): string[] {
  return location
    .split('/')
    .slice(1)
    .map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'))
}

function valueAt(value: unknown, segments: readonly string[]): unknown {
  let current = value
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[segment]
  }
  return current
}
