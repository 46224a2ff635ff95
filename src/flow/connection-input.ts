/**
 * Trust boundary: connection input (what the end user or application enters when connecting,
 * e.g. a Zendesk subdomain) is validated against the connector's `inputSchema` with
 * @cfworker/json-schema (an interpreter: no eval, allowed in Workers).
 */
import { Validator, type OutputUnit, type Schema } from '@cfworker/json-schema'
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import type { CompiledConnector } from '../registry/types.ts'
import { isSecretProperty, secretPropertyNames } from './typed-input.ts'

/** Largest connection input accepted, in UTF-8 bytes of its JSON (S18). */
export const MAX_CONNECTION_INPUT_BYTES = 4096

/**
 * Returns the input, as its JSON round trip, when it is a JSON object that satisfies the
 * connector's inputSchema (any object when there is none). Throws `invalid_connection_input`
 * naming each failing location and rule (not the value: the message may be shown to someone
 * else), also for what JSON cannot carry (cycles, BigInt: RPC callers can pass them).
 */
export function validateConnectionInput(connector: CompiledConnector, input: unknown): Record<string, unknown> {
  const schema = connector.auth.inputSchema
  return validateAgainst(connector, schema, input)
}

/**
 * S22: the input a connect URL carries for a typed-credentials form (client-credentials): what
 * the form starts with. It travelled in a URL, so a secret field is refused; it is checked
 * against the inputSchema without `required`, since the user completes it on the form.
 */
export function validateFormPrefill(connector: CompiledConnector, input: unknown): Record<string, unknown> {
  const schema = connector.auth.inputSchema
  const secrets = isRecord(input) ? Object.keys(input).filter((name) => secretPropertyNames(schema).includes(name) || isSecretProperty(name, undefined)) : []
  if (secrets.length > 0) {
    throw new LatchkeyError(
      'invalid_connection_input',
      `Connection input for connector "${connector.key}" carries the secret field ${secrets[0]}: secrets are typed by the user on Latchkey's form, or passed to createConnection, never put in a connect URL.`,
    )
  }
  if (schema === undefined) return validateAgainst(connector, undefined, input)
  const { required: _completedOnTheForm, ...withoutRequired } = schema
  return validateAgainst(connector, withoutRequired, input)
}

function validateAgainst(connector: CompiledConnector, schema: CompiledConnector['auth']['inputSchema'], input: unknown): Record<string, unknown> {
  const refuse = (why: string): LatchkeyError => new LatchkeyError('invalid_connection_input', `Connection input for connector "${connector.key}" ${why}.`)
  if (!isRecord(input)) throw refuse('must be a JSON object')
  let json: string
  try {
    json = JSON.stringify(input)
  } catch {
    throw refuse('cannot be written as JSON (a cycle or a BigInt)')
  }
  if (new TextEncoder().encode(json).byteLength > MAX_CONNECTION_INPUT_BYTES) throw refuse(`is larger than ${MAX_CONNECTION_INPUT_BYTES} bytes`)
  // What is stored and signed is the JSON, so the JSON is what gets validated.
  const value = JSON.parse(json) as Record<string, unknown>
  if (schema === undefined) return value

  const result = new Validator(schema as Schema, '7', false).validate(value)
  if (!result.valid) throw refuse(`does not match its inputSchema: ${describeErrors(result.errors)}`)
  return value
}

/** The leaf failures as `location: rule`, e.g. `/subdomain: pattern`, `(root): required property "subdomain"`. */
function describeErrors(errors: OutputUnit[]): string {
  const leaves = errors.filter((unit) => !['properties', 'allOf', 'anyOf', 'oneOf', '$ref', 'items'].includes(unit.keyword))
  const described = new Set<string>()
  for (const unit of leaves.length > 0 ? leaves : errors) {
    const location = unit.instanceLocation.replace(/^#/, '') || '(root)'
    const missing = unit.keyword === 'required' ? /"([^"]{1,64})"/.exec(unit.error)?.[1] : undefined
    described.add(`${location}: ${missing === undefined ? unit.keyword : `required property "${missing}" is missing`}`)
    if (described.size === 5) break
  }
  return [...described].join('; ')
}
