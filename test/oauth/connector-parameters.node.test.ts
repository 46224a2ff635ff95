import { describe, expect, it } from 'vitest'
import { LatchkeyError } from '../../src/errors.ts'
import { connectorParameterVariable, readConnectorParameters } from '../../src/registry/connector-parameters.ts'
import type { CompiledConnector } from '../../src/registry/types.ts'
import { readSettings } from '../../src/settings.ts'

function connector(key: string, parametersSchema?: Record<string, unknown>): CompiledConnector {
  const base: CompiledConnector = { key, name: key, auth: { type: 'oauth2', methods: {} } }
  return parametersSchema === undefined ? base : { ...base, parametersSchema }
}

const SCHEMA = {
  type: 'object',
  properties: {
    clientId: { type: 'string' },
    clientSecret: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    sandbox: { type: 'boolean' },
    apiURL: { type: 'string' },
  },
  required: ['clientId'],
}

function read(key: string, variables: Record<string, unknown>, schema: Record<string, unknown> | undefined = SCHEMA): Record<string, unknown> {
  return readConnectorParameters(connector(key, schema), readSettings(variables as unknown as Env))
}

function errorOf(run: () => unknown): LatchkeyError {
  try {
    run()
  } catch (error) {
    if (error instanceof LatchkeyError) return error
  }
  throw new Error('expected a LatchkeyError')
}

describe('connector parameters from Worker variables', () => {
  it.each([
    ['google', 'clientId', 'GOOGLE__CLIENT_ID'],
    ['quick-books', 'clientSecret', 'QUICK_BOOKS__CLIENT_SECRET'],
    ['github', 'scopes', 'GITHUB__SCOPES'],
    ['x', 'apiURL', 'X__API_URL'],
    ['test-oauth', 'upstreamOrigin', 'TEST_OAUTH__UPSTREAM_ORIGIN'],
  ])('names %s.%s %s', (key, parameter, variable) => {
    expect(connectorParameterVariable(key, parameter)).toBe(variable)
  })

  it('reads declared parameters and JSON-parses non-string types', () => {
    expect(
      read('quick-books', {
        QUICK_BOOKS__CLIENT_ID: 'id',
        QUICK_BOOKS__CLIENT_SECRET: 's',
        QUICK_BOOKS__SCOPES: '["a","b"]',
        QUICK_BOOKS__SANDBOX: 'true',
        QUICK_BOOKS__API_URL: 'https://api',
        GOOGLE__CLIENT_ID: 'not mine',
      }),
    ).toEqual({ clientId: 'id', clientSecret: 's', scopes: ['a', 'b'], sandbox: true, apiURL: 'https://api' })
  })

  it("takes a declared parameter's schema default when its variable is not set (Xero's default scopes)", () => {
    const schema = {
      ...SCHEMA,
      properties: { ...SCHEMA.properties, scopes: { type: 'array', default: ['offline_access', 'accounting.transactions'] } },
      required: ['clientId', 'scopes'],
    }
    expect(read('xero', { XERO__CLIENT_ID: 'id' }, schema)).toEqual({ clientId: 'id', scopes: ['offline_access', 'accounting.transactions'] })
    expect(read('xero', { XERO__CLIENT_ID: 'id', XERO__SCOPES: '["openid"]' }, schema)).toMatchObject({ scopes: ['openid'] })
  })

  it('passes undeclared variables with the prefix as camelCase strings', () => {
    expect(read('acme', { ACME__CLIENT_ID: 'id', ACME__EXTRA_SETTING: 'v' }, undefined)).toEqual({ clientId: 'id', extraSetting: 'v' })
  })

  it('a missing required parameter is connector_misconfigured naming the variable', () => {
    const error = errorOf(() => read('google', { GOOGLE__CLIENT_SECRET: 's' }))
    expect(error.code).toBe('connector_misconfigured')
    expect(error.message).toContain('GOOGLE__CLIENT_ID')
  })

  it.each([
    ['invalid JSON', 'not json'],
    ['JSON of another type', '{"a":1}'],
  ])('S13 a typed parameter holding %s is misconfigured, without quoting the value', (_case, value) => {
    const error = errorOf(() => read('google', { GOOGLE__CLIENT_ID: 'id', GOOGLE__SCOPES: value }))
    expect(error.code).toBe('connector_misconfigured')
    expect(error.message).toContain('GOOGLE__SCOPES')
    expect(error.message).not.toContain(value)
  })
})
