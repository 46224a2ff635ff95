/**
 * Trust boundary: what a credential form's browser posts, and the public input its connect
 * token fixed, checked against the connector's inputSchema with @cfworker/json-schema (the
 * validator connection-input.ts uses) before anything is sent anywhere. Failures are reported
 * per field, in words a person can act on, and never quote a value (S22: a typed secret is
 * never echoed).
 */
import { encodePointer, Validator, type OutputUnit, type Schema } from '@cfworker/json-schema'
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import type { JsonSchema } from '../registry/types.ts'
import { formValueOf, type InputField } from '../ui/input-fields.ts'
import { MAX_CONNECTION_INPUT_BYTES } from './connection-input.ts'
import { splitTypedInput } from './typed-input.ts'

/** What is wrong with a submitted form: a message per field name, and one about the whole form. */
export interface FormProblems {
  fields: Record<string, string>
  form: string | null
}

/**
 * The public input a connect token set for a credential form, reduced to the form's fields:
 * each value must be one a field can hold and satisfy its property's schema. Throws
 * `invalid_connection_input` for a secret field (that input travelled in a URL, S22), for a
 * value a field cannot hold, or one its property refuses. Properties without a field are
 * dropped: the form could not show them and the connection does not get them.
 */
export function fixedInputOf(connectorKey: string, schema: JsonSchema | undefined, fields: readonly InputField[], input: unknown): Record<string, unknown> {
  const refuse = (why: string): LatchkeyError => new LatchkeyError('invalid_connection_input', `Connection input for connector "${connectorKey}" ${why}.`)
  if (!isRecord(input)) throw refuse('must be a JSON object')
  const { secretInput } = splitTypedInput(schema, input)
  const secretNames = Object.keys(secretInput)
  if (secretNames.length > 0) {
    throw refuse(`carries the secret field ${secretNames.slice(0, 3).join(', ')}: a connect URL must never carry a secret, the user types it into the form`)
  }
  const fixed: Record<string, unknown> = {}
  for (const field of fields) {
    if (!Object.hasOwn(input, field.name)) continue
    const value = input[field.name]
    if (formValueOf(value) === null) throw refuse(`has a ${field.name} a form field cannot hold`)
    fixed[field.name] = value
  }
  if (new TextEncoder().encode(JSON.stringify(fixed)).byteLength > MAX_CONNECTION_INPUT_BYTES) throw refuse(`is larger than ${MAX_CONNECTION_INPUT_BYTES} bytes`)
  const problems = schemaProblems(schema, fields, fixed)
  // Missing properties are the form's to ask for; a value the token fixed must be valid now.
  const invalid = Object.keys(problems?.fields ?? {}).filter((name) => Object.hasOwn(fixed, name))
  if (invalid.length > 0) throw refuse(`has values its inputSchema refuses: ${invalid.slice(0, 5).join(', ')}`)
  return fixed
}

/** Problems of a complete typed input (the form's values and the fixed ones), or null when it is valid. */
export function typedInputProblems(schema: JsonSchema | undefined, fields: readonly InputField[], input: Record<string, unknown>): FormProblems | null {
  if (new TextEncoder().encode(JSON.stringify(input)).byteLength > MAX_CONNECTION_INPUT_BYTES) {
    return { fields: {}, form: `The values are longer than ${MAX_CONNECTION_INPUT_BYTES} bytes in all. Shorten them and try again.` }
  }
  const problems = schemaProblems(schema, fields, input)
  if (problems === null) return null
  if (problems.form === null && Object.keys(problems.fields).length === 0) {
    return { fields: {}, form: 'These values do not fit what the connector needs. Check them and try again.' }
  }
  return problems
}

function schemaProblems(schema: JsonSchema | undefined, fields: readonly InputField[], input: Record<string, unknown>): FormProblems | null {
  if (schema === undefined) return null
  const result = new Validator(schema as Schema, '7', false).validate(input)
  if (result.valid) return null
  const byLocation = new Map(fields.map((field) => [`#/${encodePointer(field.name)}`, field]))
  const byName = new Map(fields.map((field) => [field.name, field]))
  const problems: FormProblems = { fields: {}, form: null }
  for (const unit of leaves(result.errors)) {
    const missing = unit.keyword === 'required' ? /required property "(.{1,200})"\.$/.exec(unit.error)?.[1] : undefined
    const field = missing !== undefined ? byName.get(missing) : byLocation.get(unit.instanceLocation)
    if (field === undefined) {
      problems.form ??= 'These values do not fit what the connector needs together. Check them and try again.'
      continue
    }
    // The first failing rule of a field is the one to fix first.
    problems.fields[field.name] ??= explain(field, unit.keyword)
  }
  return problems
}

/** The failures that name a rule, not the keywords that only group them. */
function leaves(errors: OutputUnit[]): OutputUnit[] {
  const leafErrors = errors.filter((unit) => !['properties', 'allOf', 'anyOf', 'oneOf', '$ref', 'items', 'if', 'dependentSchemas'].includes(unit.keyword))
  return leafErrors.length > 0 ? leafErrors : errors
}

/** A failed rule in words; the field's label says which field, the value is never quoted. */
function explain(field: InputField, keyword: string): string {
  switch (keyword) {
    case 'required':
      return field.kind === 'select' ? `Choose ${field.label}.` : `Enter ${field.label}.`
    case 'type':
      return field.kind === 'number' ? `${field.label} must be a number.` : `${field.label} has the wrong kind of value.`
    case 'enum':
    case 'const':
      return `Choose one of the values offered for ${field.label}.`
    case 'minLength':
      return `${field.label} is too short.`
    case 'maxLength':
      return `${field.label} is too long.`
    case 'minimum':
    case 'exclusiveMinimum':
      return `${field.label} is too small.`
    case 'maximum':
    case 'exclusiveMaximum':
      return `${field.label} is too large.`
    case 'multipleOf':
      return `${field.label} is not a step the connector accepts.`
    case 'pattern':
    case 'format':
      return field.description === null ? `${field.label} is not in the expected format.` : `${field.label} is not in the expected format: see the hint.`
    default:
      return `${field.label} is not valid (${keyword.slice(0, 40)}).`
  }
}
