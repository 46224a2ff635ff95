/**
 * The argument contract of connector methods (src/registry/connector-context.ts): what every
 * method receives, under the names Membrane and integration-app connectors read, and that a
 * method sees it whatever its implementation type.
 */
import { describe, expect, it } from 'vitest'
import { LatchkeyError } from '../../src/errors.ts'
import { compileMapping } from '../../src/formula/index.ts'
import { connectorContext } from '../../src/registry/connector-context.ts'
import { runMethod } from '../../src/registry/registry.ts'
import type { CompiledConnector } from '../../src/registry/types.ts'
import { readSettings, type Settings } from '../../src/settings.ts'

const INPUT = { subdomain: 'acme' }

function settingsWith(variables: Record<string, string>): Settings {
  return readSettings(variables as unknown as Env)
}

function connector(methods: CompiledConnector['auth']['methods'] = {}): CompiledConnector {
  return {
    key: 'acme',
    name: 'Acme',
    parametersSchema: { type: 'object', properties: { clientId: { type: 'string' }, scopes: { type: 'array' } }, required: ['clientId'] },
    auth: { type: 'oauth2', methods },
  }
}

describe('connectorContext', () => {
  const context = connectorContext(connector(), settingsWith({ ACME__CLIENT_ID: 'id', ACME__SCOPES: '["read"]', ACME__REGION: 'eu' }), INPUT)

  it.each([
    ['connectorParameters', { clientId: 'id', scopes: ['read'], region: 'eu' }],
    ['appParameters', { clientId: 'id', scopes: ['read'], region: 'eu' }],
    ['connectionInput', INPUT],
    ['connectionParameters', INPUT],
  ] as const)('gives every method %s', (name, expected) => {
    expect(context[name]).toEqual(expected)
  })

  it('has exactly the four names of the contract; callers add the rest', () => {
    expect(Object.keys(context).sort()).toEqual(['appParameters', 'connectionInput', 'connectionParameters', 'connectorParameters'])
  })

  it('reads the parameters once: the older names are the same objects', () => {
    expect(context.appParameters).toBe(context.connectorParameters)
    expect(context.connectionParameters).toBe(context.connectionInput)
  })

  it('is connector_misconfigured, naming the variable, when a required parameter is missing', () => {
    let error: unknown
    try {
      connectorContext(connector(), settingsWith({}), INPUT)
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(LatchkeyError)
    expect((error as LatchkeyError).code).toBe('connector_misconfigured')
    expect((error as LatchkeyError).message).toContain('ACME__CLIENT_ID')
  })

  it.each(['connectorParameters', 'appParameters', 'connectionInput', 'connectionParameters'])('a mapping method reads $.%s', async (name) => {
    const mapping = compileMapping({ value: { $var: `$.${name}` } })
    if (!mapping.ok) throw new Error('the test mapping does not compile')
    const withMethod = connector({ test: { implementationType: 'mapping', mapping: mapping.node, source: `spec.yml#auth.test` } })
    const context = connectorContext(withMethod, settingsWith({ ACME__CLIENT_ID: 'id' }), INPUT)
    const expected = name.startsWith('connection') ? INPUT : { clientId: 'id' }
    expect(await runMethod(withMethod, 'test', { ...context, credentials: {} })).toEqual({ value: expected })
  })
})
