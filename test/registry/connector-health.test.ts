/**
 * Connector health (src/registry/connector-health.ts): every problem of a connector's
 * parameters, named by the variable to set and never quoting a value (S13); the connect page's
 * split into ready connectors and unavailable ones; the log lines of the unready.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LatchkeyError } from '../../src/errors.ts'
import { connectorHealth, connectorHealthReporter, connectorsHealth, unavailableLine } from '../../src/registry/connector-health.ts'
import { readConnectorParameters } from '../../src/registry/connector-parameters.ts'
import type { CompiledConnector } from '../../src/registry/types.ts'
import { readSettings, type Settings } from '../../src/settings.ts'
import { connectorChoices, unavailableConnectors } from '../../src/ui/connector-choices.ts'

/** A client secret a log line or problem must never quote. */
const SECRET = 'gh-secret-value-never-logged'

/** GitHub's parameters (connectors/github/spec.yml), with a logo. */
const GITHUB: CompiledConnector = {
  key: 'github',
  name: 'GitHub',
  logoUri: 'https://github.githubassets.com/favicons/favicon.svg',
  parametersSchema: {
    type: 'object',
    properties: { clientId: { type: 'string' }, clientSecret: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } },
    required: ['clientId', 'clientSecret'],
  },
  auth: { type: 'oauth2', methods: {} },
}

function settingsWith(variables: Record<string, string>): Settings {
  return readSettings(variables as unknown as Env)
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('connectorHealth', () => {
  it('a connector whose required parameters are set is ready, with no problems', () => {
    expect(connectorHealth(GITHUB, settingsWith({ GITHUB__CLIENT_ID: 'id', GITHUB__CLIENT_SECRET: SECRET }))).toEqual({
      key: 'github',
      name: 'GitHub',
      logoUri: GITHUB.logoUri,
      authTypes: ['oauth2'],
      ready: true,
      problems: [],
    })
  })

  it('a missing client secret makes it unready, naming the variable to set', () => {
    const health = connectorHealth(GITHUB, settingsWith({ GITHUB__CLIENT_ID: 'id' }))
    expect(health.ready).toBe(false)
    expect(health.problems).toEqual([{ variable: 'GITHUB__CLIENT_SECRET', code: 'missing', message: expect.stringContaining('"clientSecret"') }])
  })

  it('an empty variable counts as missing', () => {
    const health = connectorHealth(GITHUB, settingsWith({ GITHUB__CLIENT_ID: 'id', GITHUB__CLIENT_SECRET: '' }))
    expect(health.problems.map((problem) => [problem.variable, problem.code])).toEqual([['GITHUB__CLIENT_SECRET', 'missing']])
  })

  it('S13 scopes that are not JSON are invalid, saying what to write instead and never quoting the value', () => {
    const health = connectorHealth(GITHUB, settingsWith({ GITHUB__CLIENT_ID: 'id', GITHUB__CLIENT_SECRET: SECRET, GITHUB__SCOPES: 'read:user' }))
    expect(health.ready).toBe(false)
    expect(health.problems).toEqual([{ variable: 'GITHUB__SCOPES', code: 'invalid', message: 'must hold JSON of type array, e.g. ["first","second"]' }])
    expect(JSON.stringify(health)).not.toContain('read:user')
  })

  it('JSON of another type is invalid too', () => {
    const health = connectorHealth(GITHUB, settingsWith({ GITHUB__CLIENT_ID: 'id', GITHUB__CLIENT_SECRET: SECRET, GITHUB__SCOPES: '{"scope":"repo"}' }))
    expect(health.problems.map((problem) => [problem.variable, problem.code])).toEqual([['GITHUB__SCOPES', 'invalid']])
  })

  it("the example is the schema's own when it declares one", () => {
    const withExamples: CompiledConnector = { ...GITHUB, parametersSchema: { properties: { scopes: { type: 'array', examples: [['read:user', 'repo']] } } } }
    expect(connectorHealth(withExamples, settingsWith({ GITHUB__SCOPES: 'read:user' })).problems[0]?.message).toBe('must hold JSON of type array, e.g. ["read:user","repo"]')
  })

  it('reports every problem at once, in parameter order', () => {
    const health = connectorHealth(GITHUB, settingsWith({ GITHUB__SCOPES: 'read:user,repo' }))
    expect(health.problems.map((problem) => [problem.variable, problem.code])).toEqual([
      ['GITHUB__CLIENT_ID', 'missing'],
      ['GITHUB__CLIENT_SECRET', 'missing'],
      ['GITHUB__SCOPES', 'invalid'],
    ])
  })

  it("a schema default counts as set: a required parameter with one is never missing (Xero's default scopes)", () => {
    const withDefault: CompiledConnector = {
      ...GITHUB,
      parametersSchema: { properties: { clientId: { type: 'string' }, scopes: { type: 'array', default: ['offline_access'] } }, required: ['clientId', 'scopes'] },
    }
    expect(connectorHealth(withDefault, settingsWith({ GITHUB__CLIENT_ID: 'id' }))).toMatchObject({ ready: true, problems: [] })
  })

  it('a connector without parameters is ready', () => {
    expect(connectorHealth({ key: 'plain', name: 'Plain', auth: { type: 'oauth2', methods: {} } }, settingsWith({}))).toMatchObject({ ready: true, logoUri: null })
  })

  it('lists one auth type per way to connect, in option order', () => {
    const withOptions: CompiledConnector = {
      key: 'acme',
      name: 'Acme',
      auth: { type: 'oauth2', methods: {}, options: { 'api-key': { type: 'client-credentials', methods: {} }, oauth: { type: 'oauth2', methods: {} } } },
    }
    expect(connectorHealth(withOptions, settingsWith({})).authTypes).toEqual(['client-credentials', 'oauth2'])
  })
})

describe('readConnectorParameters shares the walk', () => {
  it('throws connector_misconfigured for the first problem: the missing variable, with the message it always had', () => {
    let error: unknown
    try {
      readConnectorParameters(GITHUB, settingsWith({ GITHUB__SCOPES: 'read:user' }))
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(LatchkeyError)
    expect((error as LatchkeyError).code).toBe('connector_misconfigured')
    expect((error as LatchkeyError).message).toBe('Connector "github" needs the parameter "clientId": set the Worker variable or secret GITHUB__CLIENT_ID.')
  })

  it('S13 an invalid variable is thrown with what it must hold, without its value', () => {
    let error: unknown
    try {
      readConnectorParameters(GITHUB, settingsWith({ GITHUB__CLIENT_ID: 'id', GITHUB__CLIENT_SECRET: SECRET, GITHUB__SCOPES: 'read:user' }))
    } catch (thrown) {
      error = thrown
    }
    expect((error as LatchkeyError).message).toBe('Connector "github": the Worker variable GITHUB__SCOPES must hold JSON of type array, e.g. ["first","second"].')
  })
})

describe('the compiled registry under the test configuration', () => {
  const settings = readSettings(env)

  it('connectorsHealth covers every compiled connector, sorted by key', () => {
    const keys = connectorsHealth(settings).map((health) => health.key)
    expect(keys).toContain('github')
    expect(keys).toEqual([...keys].sort())
  })

  it('a configured connector is ready; the deliberately unconfigured fixture is not, naming its variable', () => {
    const byKey = new Map(connectorsHealth(settings).map((health) => [health.key, health]))
    expect(byKey.get('github')).toMatchObject({ ready: true, authTypes: ['oauth2'] })
    expect(byKey.get('test-misconfigured')).toMatchObject({ ready: false, problems: [{ variable: 'TEST_MISCONFIGURED__CLIENT_ID', code: 'missing' }] })
  })

  it('the connect page offers only ready connectors, with their logo; unavailableConnectors lists the rest', () => {
    const offered = connectorChoices(settings)
    const unavailable = unavailableConnectors(settings)
    expect(offered.map((choice) => choice.key)).toContain('github')
    expect(offered.find((choice) => choice.key === 'github')).toMatchObject({ logoUri: null })
    expect(unavailable.map((health) => health.key)).toContain('test-misconfigured')
    expect(unavailable.every((health) => !health.ready)).toBe(true)
    const offeredKeys = new Set(offered.map((choice) => choice.key))
    expect(unavailable.filter((health) => offeredKeys.has(health.key))).toEqual([])
    expect(offered.length + unavailable.length).toBe(connectorsHealth(settings).length)
  })
})

describe('the log of unready connectors', () => {
  it('names each variable to set and what is wrong with it, on one line per connector', () => {
    const health = connectorHealth(GITHUB, settingsWith({ GITHUB__CLIENT_ID: 'id', GITHUB__SCOPES: 'read:user' }))
    expect(unavailableLine(health)).toBe(
      'latchkey: connector github unavailable: set GITHUB__CLIENT_SECRET (missing), GITHUB__SCOPES (invalid: must hold JSON of type array, e.g. ["first","second"])',
    )
  })

  it('S13 a reporter warns once per unready connector on its first call, nothing on later calls, and never a value', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const variables = { GITHUB__CLIENT_ID: SECRET, GITHUB__SCOPES: `["${SECRET}"` }
    const report = connectorHealthReporter()
    report(variables as unknown as Env)
    const lines = warn.mock.calls.map((args) => args.join(' '))
    const expected = connectorsHealth(settingsWith(variables))
      .filter((health) => !health.ready)
      .map(unavailableLine)
    expect(lines).toEqual(expected)
    expect(lines).toContain(
      'latchkey: connector github unavailable: set GITHUB__CLIENT_SECRET (missing), GITHUB__SCOPES (invalid: must hold JSON of type array, e.g. ["first","second"])',
    )
    expect(lines.filter((line) => line.includes(SECRET))).toEqual([])
    report(variables as unknown as Env)
    expect(warn).toHaveBeenCalledTimes(expected.length)
  })

  it('logs nothing when every connector is ready', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    // Every variable a problem names, given a value of its type: a number, else an array, an object, a boolean.
    // (A copy each round: settings are read once per environment object.)
    const variables: Record<string, string> = {}
    for (const candidate of ['1', '[]', '{}', 'true']) {
      for (const health of connectorsHealth(settingsWith({ ...variables }))) for (const problem of health.problems) variables[problem.variable] = candidate
    }
    const stillUnready = connectorsHealth(settingsWith({ ...variables })).filter((health) => !health.ready)
    expect(stillUnready).toEqual([])
    connectorHealthReporter()(variables as unknown as Env)
    expect(warn).not.toHaveBeenCalled()
  })
})
