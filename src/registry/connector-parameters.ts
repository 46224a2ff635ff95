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

/** Why a connector parameter keeps the connector from running. */
export interface ConnectorProblem {
  /** The Worker variable or secret to set, by the naming rule. */
  variable: string
  /** `missing`: a required parameter's variable is unset or empty; `invalid`: its value does not parse as the declared type. */
  code: 'missing' | 'invalid'
  /** What the variable must hold, without its value (it may be a secret, S13). */
  message: string
}

/**
 * Reads the connector's parameters from the Worker variables in `settings` (connector methods
 * get them through `connectorContext`). Every property declared in `parametersSchema` is read
 * by the naming rule (a string is JSON-parsed when the declared type is
 * array/object/number/integer/boolean); a variable with the connector's prefix that the schema
 * does not declare is passed as a string under its camelCase name. A declared property whose
 * variable is not set takes its schema `default`, when it has one. Throws
 * `connector_misconfigured` naming the variable of the first problem: a required parameter
 * that is missing, or a typed one that does not parse (`connectorParameterProblems` lists them
 * all). Never quotes a value: it may be a secret (S13).
 */
export function readConnectorParameters(connector: CompiledConnector, settings: Settings): Record<string, unknown> {
  const { parameters, problems } = walkParameters(connector, settings)
  const [first] = problems
  if (first !== undefined) throw new LatchkeyError('connector_misconfigured', errorMessage(connector.key, first))
  return parameters
}

/**
 * Every reason the connector's parameters cannot be read, in schema order (empty: the
 * connector can run). The same walk as `readConnectorParameters`, which throws the first one.
 */
export function connectorParameterProblems(connector: CompiledConnector, settings: Settings): ConnectorProblem[] {
  return walkParameters(connector, settings).problems.map(({ variable, code, message }) => ({ variable, code, message }))
}

/** A problem with what the thrown error needs: the parameter's name. */
interface ParameterProblem extends ConnectorProblem {
  parameter: string
}

function walkParameters(connector: CompiledConnector, settings: Settings): { parameters: Record<string, unknown>; problems: ParameterProblem[] } {
  const { variables } = settings
  const schema = connector.parametersSchema ?? {}
  const declared = declaredProperties(schema)
  const required = new Set(requiredProperties(schema))
  const parameters: Record<string, unknown> = {}
  const problems: ParameterProblem[] = []

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
      if (required.has(name)) problems.push({ variable, code: 'missing', message: `must be set: the connector requires the parameter "${name}"`, parameter: name })
      continue
    }
    const parsed = parseDeclared(value, propertySchema)
    if (parsed.ok) parameters[name] = parsed.value
    else problems.push({ variable, code: 'invalid', message: parsed.expected, parameter: name })
  }
  return { parameters, problems }
}

/** The thrown message: a missing parameter as it always read, an invalid one with what it must hold. */
function errorMessage(connectorKey: string, problem: ParameterProblem): string {
  if (problem.code === 'missing') return `Connector "${connectorKey}" needs the parameter "${problem.parameter}": set the Worker variable or secret ${problem.variable}.`
  return `Connector "${connectorKey}": the Worker variable ${problem.variable} ${problem.message}.`
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

type Parsed = { ok: true; value: unknown } | { ok: false; expected: string }

function parseDeclared(value: string, schema: JsonSchema): Parsed {
  const type = schema['type']
  if (typeof type !== 'string' || !JSON_TYPES.has(type)) return { ok: true, value }
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return { ok: false, expected: expectedJson(type, schema) }
  }
  return matchesType(parsed, type) ? { ok: true, value: parsed } : { ok: false, expected: expectedJson(type, schema) }
}

/**
 * What a typed parameter's variable must hold, with an example: the schema's own (`examples`,
 * then `default`) when it has the type, else a generic one. Examples come from the spec, never
 * from the variable's value.
 */
function expectedJson(type: string, schema: JsonSchema): string {
  const examples = Array.isArray(schema['examples']) ? schema['examples'] : []
  const own = [...examples, schema['default']].find((candidate) => candidate !== undefined && matchesType(candidate, type))
  const example = own === undefined ? GENERIC_EXAMPLES[type] : JSON.stringify(own)
  return `must hold JSON of type ${type}, e.g. ${example}`
}

const GENERIC_EXAMPLES: Readonly<Record<string, string>> = {
  array: '["first","second"]',
  object: '{"region":"eu"}',
  number: '1.5',
  integer: '30',
  boolean: 'true',
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

function toCamelCase(upperSnake: string): string {
  return upperSnake.toLowerCase().replace(/_+([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())
}
