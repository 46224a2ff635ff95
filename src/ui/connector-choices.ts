/**
 * What the connect page offers: the connectors this deployment has configured (their
 * parameters are set, so a connection can start), each with the connection input fields
 * its inputSchema asks for when they are simple enough for a form.
 */
import { isLatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { readConnectorParameters } from '../registry/connector-parameters.ts'
import { listConnectors } from '../registry/registry.ts'
import type { CompiledConnector, JsonSchema } from '../registry/types.ts'
import type { Settings } from '../settings.ts'

/** One form field for a connection input property. */
export interface InputField {
  name: string
  label: string
  description: string | null
  kind: 'text' | 'number' | 'checkbox' | 'select'
  /** Values of a `select`. */
  options: string[]
  required: boolean
}

/** A connector the page can start. */
export interface ConnectorChoice {
  key: string
  name: string
  /** null: the inputSchema asks for input a form cannot (arrays, objects); the application must start it. */
  fields: InputField[] | null
}

/** Prefix of input field names in the form, so they never clash with `csrf` or `connector`. */
export const INPUT_FIELD_PREFIX = 'input.'

/** Configured connectors, sorted by key. Unconfigured ones are left out: they could not start. */
export function connectorChoices(settings: Settings): ConnectorChoice[] {
  return listConnectors()
    .filter((connector) => isConfigured(connector, settings))
    .map((connector) => ({ key: connector.key, name: connector.name, fields: inputFieldsOf(connector.auth.inputSchema) }))
}

/** The connection input a submitted form describes; the connector's inputSchema validates it later. */
export function connectionInputFromForm(fields: InputField[], form: Record<string, string>): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  for (const field of fields) {
    const value = form[INPUT_FIELD_PREFIX + field.name]
    if (field.kind === 'checkbox') input[field.name] = value !== undefined
    else if (value === undefined || value === '') continue
    else if (field.kind === 'number') input[field.name] = Number.isFinite(Number(value)) ? Number(value) : value
    else input[field.name] = value
  }
  return input
}

function isConfigured(connector: CompiledConnector, settings: Settings): boolean {
  try {
    readConnectorParameters(connector, settings)
    return true
  } catch (error) {
    if (isLatchkeyError(error)) return false
    throw error
  }
}

/** Fields for the scalar properties; null when a required property is not a scalar. */
function inputFieldsOf(schema: JsonSchema | undefined): InputField[] | null {
  if (schema === undefined) return []
  const properties = isRecord(schema['properties']) ? schema['properties'] : {}
  const required = new Set(Array.isArray(schema['required']) ? schema['required'].filter((name) => typeof name === 'string') : [])
  const fields: InputField[] = []
  for (const [name, property] of Object.entries(properties)) {
    const field = isRecord(property) ? fieldOf(name, property, required.has(name)) : null
    if (field !== null) fields.push(field)
    else if (required.has(name)) return null
  }
  return fields
}

function fieldOf(name: string, property: Record<string, unknown>, required: boolean): InputField | null {
  const label = typeof property['title'] === 'string' ? property['title'] : name
  const description = typeof property['description'] === 'string' ? property['description'] : null
  const base = { name, label, description, options: [] as string[], required }
  const options = property['enum']
  if (Array.isArray(options) && options.length > 0 && options.every((option) => typeof option === 'string')) {
    return { ...base, kind: 'select', options }
  }
  switch (property['type']) {
    case 'string':
      return { ...base, kind: 'text' }
    case 'number':
    case 'integer':
      return { ...base, kind: 'number' }
    case 'boolean':
      return { ...base, kind: 'checkbox', required: false }
    default:
      return null
  }
}
