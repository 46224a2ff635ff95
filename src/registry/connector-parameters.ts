/**
 * Connector parameters (clientId, clientSecret, scopes...) come from Worker vars and secrets,
 * never from the browser. One naming rule: connector `quick-books` + parameter `clientSecret`
 * -> `QUICK_BOOKS__CLIENT_SECRET`.
 */
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import type { Settings } from '../settings.ts'
import type { CompiledConnector, JsonSchema } from './types.ts'

const JSON_TYPES = new Set(['array', 'object', 'number', 'integer', 'boolean'])

/** Upper snake case of a connector key or parameter name: `quick-books` -> `QUICK_BOOKS`, `clientId` -> `CLIENT_ID`. */
export function toUpperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase()
}

/** The Worker variable or secret that holds `parameter` of connector `connectorKey`. */
export function connectorParameterVariable(connectorKey: string, parameter: string): string {
  return `${toUpperSnake(connectorKey)}__${toUpperSnake(parameter)}`
}

/**
 * Reads the connector's parameters from the Worker variables in `settings` (connector methods
 * get them through `connectorContext`). Every property declared in `parametersSchema` is read
 * by the naming rule (a string is JSON-parsed when the declared type is
 * array/object/number/integer/boolean); a variable with the connector's prefix that the schema
 * does not declare is passed as a string under its camelCase name. A declared property whose
 * variable is not set takes its schema `default`, when it has one. Throws
 * `connector_misconfigured` naming the variable when a required one is missing or does not
 * parse. Never quotes a value: it may be a secret (S13).
 */
export function readConnectorParameters(connector: CompiledConnector, settings: Settings): Record<string, unknown> {
  const { variables } = settings
  const schema = connector.parametersSchema ?? {}
  const declared = declaredProperties(schema)
  const required = new Set(requiredProperties(schema))
  const parameters: Record<string, unknown> = {}

  const prefix = `${toUpperSnake(connector.key)}__`
  for (const [variable, value] of variables) {
    if (!variable.startsWith(prefix)) continue
    parameters[toCamelCase(variable.slice(prefix.length))] = value
  }

  for (const [name, propertySchema] of Object.entries(declared)) {
    const variable = connectorParameterVariable(connector.key, name)
    delete parameters[toCamelCase(toUpperSnake(name))]
    const value = variables.get(variable)
    if (value === undefined || value === '') {
      // An exported spec's default (e.g. Xero's default scopes) stands in for an unset variable.
      if (Object.hasOwn(propertySchema, 'default')) {
        parameters[name] = structuredClone(propertySchema['default'])
        continue
      }
      if (required.has(name)) {
        throw new LatchkeyError('connector_misconfigured', `Connector "${connector.key}" needs the parameter "${name}": set the Worker variable or secret ${variable}.`)
      }
      continue
    }
    parameters[name] = parseDeclared(value, propertySchema, variable, connector.key)
  }
  return parameters
}

function declaredProperties(schema: JsonSchema): Record<string, JsonSchema> {
  const properties = schema['properties']
  if (!isRecord(properties)) return {}
  const result: Record<string, JsonSchema> = {}
  for (const [name, value] of Object.entries(properties)) result[name] = isRecord(value) ? value : {}
  return result
}

function requiredProperties(schema: JsonSchema): string[] {
  const required = schema['required']
  return Array.isArray(required) ? required.filter((name): name is string => typeof name === 'string') : []
}

function parseDeclared(value: unknown, schema: JsonSchema, variable: string, connectorKey: string): unknown {
  const type = schema['type']
  if (typeof value !== 'string' || typeof type !== 'string' || !JSON_TYPES.has(type)) return value
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw misconfigured(connectorKey, variable, `must hold JSON of type ${type}`)
  }
  if (!matchesType(parsed, type)) throw misconfigured(connectorKey, variable, `must hold JSON of type ${type}`)
  return parsed
}

function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case 'array':
      return Array.isArray(value)
    case 'object':
      return isRecord(value)
    case 'integer':
      return Number.isInteger(value)
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    default:
      return typeof value === 'boolean'
  }
}

function misconfigured(connectorKey: string, variable: string, problem: string): LatchkeyError {
  return new LatchkeyError('connector_misconfigured', `Connector "${connectorKey}": the Worker variable ${variable} ${problem}.`)
}

function toCamelCase(upperSnake: string): string {
  return upperSnake.toLowerCase().replace(/_+([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())
}
