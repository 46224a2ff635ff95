/**
 * The credential form's checks (src/flow/credential-form-validation.ts): per-field problems in
 * words that never quote a value, and the connect token's fixed input refused when it carries a
 * secret (S22: that input travelled in a URL).
 */
import { describe, expect, it } from 'vitest'
import { LatchkeyError } from '../../src/errors.ts'
import { fixedInputOf, typedInputProblems } from '../../src/flow/credential-form-validation.ts'
import { inputFieldsOf, type InputField } from '../../src/ui/input-fields.ts'

const SCHEMA = {
  type: 'object',
  properties: {
    scenario: { type: 'string', title: 'Scenario', pattern: '^[a-z-]{1,20}$' },
    region: { type: 'string', title: 'Region', enum: ['eu', 'us'] },
    apiKey: { type: 'string', title: 'API key', minLength: 8 },
    port: { type: 'integer', title: 'Port', maximum: 65535 },
    nested: { type: 'object' },
  },
  required: ['scenario', 'region', 'apiKey'],
}
const FIELDS = (inputFieldsOf(SCHEMA) as { fields: InputField[] }).fields

function codeOf(run: () => unknown): string | null {
  try {
    run()
    return null
  } catch (error) {
    return error instanceof LatchkeyError ? error.code : 'unexpected'
  }
}

describe('typedInputProblems', () => {
  it('accepts a valid input', () => {
    expect(typedInputProblems(SCHEMA, FIELDS, { scenario: 'ok', region: 'eu', apiKey: 'long-enough-key' })).toBeNull()
  })

  it('names each failing field in words and never quotes a value (S22)', () => {
    const secret = 'zq7'
    const problems = typedInputProblems(SCHEMA, FIELDS, { scenario: 'NOT VALID', region: 'mars', apiKey: secret, port: 'x80' })
    expect(problems).toEqual({
      form: null,
      fields: {
        scenario: 'Scenario is not in the expected format.',
        region: 'Choose one of the values offered for Region.',
        apiKey: 'API key is too short.',
        port: 'Port must be a number.',
      },
    })
    expect(JSON.stringify(problems)).not.toContain(secret)
    expect(JSON.stringify(problems)).not.toContain('mars')
  })

  it('asks for each missing required field', () => {
    expect(typedInputProblems(SCHEMA, FIELDS, { port: 70000 })?.fields).toEqual({
      scenario: 'Enter Scenario.',
      region: 'Choose Region.',
      apiKey: 'Enter API key.',
      port: 'Port is too large.',
    })
  })

  it('reports what no field can be blamed for at the form level', () => {
    const problems = typedInputProblems(SCHEMA, FIELDS, { scenario: 'ok', region: 'eu', apiKey: 'long-enough-key', nested: 1 })
    expect(problems).toEqual({ fields: {}, form: 'These values do not fit what the connector needs together. Check them and try again.' })
  })

  it('refuses an oversized input without validating it', () => {
    expect(typedInputProblems(SCHEMA, FIELDS, { scenario: 'ok', region: 'eu', apiKey: 'k'.repeat(5000) })?.form).toMatch(/longer than 4096 bytes/)
  })
})

describe('fixedInputOf', () => {
  it('keeps the values the form can show and drops the rest', () => {
    expect(fixedInputOf('acme', SCHEMA, FIELDS, { scenario: 'ok', unknown: 'dropped' })).toEqual({ scenario: 'ok' })
    expect(fixedInputOf('acme', SCHEMA, FIELDS, {})).toEqual({})
  })

  it.each([
    ['a secret by name (S22)', { apiKey: 'from-the-url' }],
    ['a secret not in the schema (S22)', { clientSecret: 'from-the-url' }],
    ['a value its property refuses', { region: 'mars' }],
    ['a value a field cannot hold', { scenario: { nested: true } }],
    ['something other than an object', ['scenario']],
  ])('refuses %s with invalid_connection_input', (_case, input) => {
    expect(codeOf(() => fixedInputOf('acme', SCHEMA, FIELDS, input))).toBe('invalid_connection_input')
  })

  it('S22 names the secret field, never its value', () => {
    try {
      fixedInputOf('acme', SCHEMA, FIELDS, { apiKey: 'from-the-url' })
    } catch (error) {
      expect((error as Error).message).toContain('apiKey')
      expect((error as Error).message).not.toContain('from-the-url')
    }
  })
})
