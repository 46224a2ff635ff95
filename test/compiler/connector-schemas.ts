/**
 * Test helpers for the published JSON Schemas of connector files (docs/schema/): which schema
 * describes a file, the schemas themselves, and validation with their references to each
 * other and to the draft-07 meta-schema (scripts/compiler/draft-07-schema.json) resolved by
 * path, as an editor resolves them.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Validator } from '@cfworker/json-schema'
import type { OutputUnit, Schema } from '@cfworker/json-schema'
import { parseYamlSource } from '../../scripts/compiler/yaml-source.ts'

/** The folder of the published schemas. */
export const SCHEMA_DIR = fileURLToPath(new URL('../../docs/schema/', import.meta.url))

/** Every published schema, by file name. */
export const SCHEMA_NAMES = ['connector-spec.schema.json', 'connector-mapping.schema.json', 'connector-rest-api-mapping.schema.json', 'connector-ui.schema.json'] as const

export type SchemaName = (typeof SCHEMA_NAMES)[number]

const DRAFT_07 = fileURLToPath(new URL('../../scripts/compiler/draft-07-schema.json', import.meta.url))

/**
 * The schema that describes `file` (a spec.yml or a file under auth/), by its name as the
 * compiler reads it: spec.yml, ui.yml (the older layout's form), `.rest.yml`/`.api.yml`
 * (rest-api-mapping), any other `.yml` (mapping).
 */
export function schemaFor(file: string): SchemaName {
  const name = path.basename(file)
  if (name === 'spec.yml') return 'connector-spec.schema.json'
  if (name === 'ui.yml') return 'connector-ui.schema.json'
  if (name.endsWith('.rest.yml') || name.endsWith('.api.yml')) return 'connector-rest-api-mapping.schema.json'
  return 'connector-mapping.schema.json'
}

/** A published schema as parsed JSON (a fresh copy: the validator annotates what it is given). */
export function readSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(SCHEMA_DIR, name), 'utf8')) as Record<string, unknown>
}

const validators = new Map<SchemaName, Validator>()

/** Validates `value` (a parsed YAML file) against schema `name`; the errors, empty when valid. */
export function schemaErrors(name: SchemaName, value: unknown): OutputUnit[] {
  let validator = validators.get(name)
  if (!validator) {
    // Each schema under the file URL of its own path, so relative references resolve the
    // way an editor resolves them from the file.
    const withId = (other: SchemaName): Schema => ({ ...readSchema(other), $id: pathToFileURL(path.join(SCHEMA_DIR, other)).href }) as Schema
    validator = new Validator(withId(name), '7', false)
    for (const other of SCHEMA_NAMES) if (other !== name) validator.addSchema(withId(other))
    // The schemas refer to the meta-schema the build itself checks with, by its path.
    validator.addSchema(JSON.parse(readFileSync(DRAFT_07, 'utf8')) as Schema, pathToFileURL(DRAFT_07).href)
    validators.set(name, validator)
  }
  const result = validator.validate(value)
  return result.valid ? [] : result.errors
}

/**
 * Checks the YAML `text` of connector file `file` against the schema that describes it; one
 * line per innermost problem (`file#/auth/type: ...`), none when it is valid.
 */
export function connectorFileProblems(file: string, text: string): string[] {
  const parsed = parseYamlSource(file, text)
  if (parsed.diagnostics.length > 0) return parsed.diagnostics.map((diagnostic) => `${file}: ${diagnostic.message}`)
  const errors = schemaErrors(schemaFor(file), parsed.source.value)
  const locations = errors.map((error) => error.instanceLocation)
  return errors.filter((error) => !locations.some((other) => other.startsWith(`${error.instanceLocation}/`))).map((error) => `${file}${error.instanceLocation}: ${error.error}`)
}
