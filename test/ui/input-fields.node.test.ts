/**
 * The form field builder both forms use (src/ui/input-fields.ts, input-field-html.ts): fields
 * from an inputSchema, what a posted form means, and the field's HTML; and the connect page's
 * ways to connect (src/ui/connector-choices.ts).
 */
import { describe, expect, it } from 'vitest'
import type { CompiledAuth, CompiledConnector } from '../../src/registry/types.ts'
import { connectWaysOf } from '../../src/ui/connector-choices.ts'
import { inputFieldHtml } from '../../src/ui/input-field-html.ts'
import { inputFieldsOf, inputFromForm, type InputField } from '../../src/ui/input-fields.ts'

const SCHEMA = {
  type: 'object',
  properties: {
    subdomain: { type: 'string', title: 'Subdomain', description: 'The part before .example.com.' },
    region: { type: 'string', enum: ['eu', 'us'], default: 'eu' },
    port: { type: 'integer', title: 'Port' },
    tier: { type: 'integer', enum: [1, 2, 3] },
    sandbox: { type: 'boolean', title: 'Sandbox', default: true },
    apiKey: { type: 'string', title: 'API key', default: 'never-shown' },
    password: { type: 'string' },
    hidden: { type: 'string', writeOnly: true },
    masked: { type: 'string', format: 'password' },
    extras: { type: 'object' },
  },
  required: ['subdomain', 'region', 'apiKey', 'sandbox'],
}

function fields(): InputField[] {
  const result = inputFieldsOf(SCHEMA)
  if (!result.ok) throw new Error('expected fields')
  return result.fields
}

function field(name: string): InputField {
  const found = fields().find((candidate) => candidate.name === name)
  if (found === undefined) throw new Error(`no field ${name}`)
  return found
}

async function htmlOf(fragment: ReturnType<typeof inputFieldHtml>): Promise<string> {
  return (await fragment).toString()
}

describe('inputFieldsOf', () => {
  it('labels each field by title or name, with the description as a hint and the required marks', () => {
    expect(field('subdomain')).toMatchObject({ label: 'Subdomain', description: 'The part before .example.com.', kind: 'text', required: true })
    expect(field('region')).toMatchObject({ label: 'region', description: null, kind: 'select', options: ['eu', 'us'], required: true, defaultValue: 'eu' })
    expect(field('port')).toMatchObject({ kind: 'number', required: false })
  })

  it('makes enums selects (numbers too), booleans checkboxes that are never required', () => {
    expect(field('tier')).toMatchObject({ kind: 'select', options: ['1', '2', '3'], numericOptions: true })
    expect(field('sandbox')).toMatchObject({ kind: 'checkbox', required: false, defaultValue: 'true' })
  })

  it('S22 masks secrets by name, format password or writeOnly, and never takes their default', () => {
    expect(field('apiKey')).toMatchObject({ kind: 'secret', autocomplete: 'off', defaultValue: null })
    expect(field('password')).toMatchObject({ kind: 'secret', autocomplete: 'new-password' })
    expect(field('hidden')).toMatchObject({ kind: 'secret' })
    expect(field('masked')).toMatchObject({ kind: 'secret' })
  })

  it('leaves out an optional property a form cannot express, and keeps schema order', () => {
    expect(fields().map((candidate) => candidate.name)).toEqual(['subdomain', 'region', 'port', 'tier', 'sandbox', 'apiKey', 'password', 'hidden', 'masked'])
  })

  it.each([
    ['an object', { type: 'object', properties: { nested: { type: 'object' } }, required: ['nested'] }, ['nested']],
    ['an array', { type: 'object', properties: { list: { type: 'array', items: { type: 'string' } } }, required: ['list'] }, ['list']],
    ['a union of types', { type: 'object', properties: { either: { type: ['string', 'number'] } }, required: ['either'] }, ['either']],
    ['a mixed enum', { type: 'object', properties: { mixed: { enum: ['a', 1] } }, required: ['mixed'] }, ['mixed']],
    ['an undeclared property', { type: 'object', required: ['ghost'] }, ['ghost']],
  ])('cannot ask for a required %s', (_case, schema, unsupported) => {
    expect(inputFieldsOf(schema)).toEqual({ ok: false, unsupported })
  })

  it('asks for nothing without a schema', () => {
    expect(inputFieldsOf(undefined)).toEqual({ ok: true, fields: [] })
  })
})

describe('inputFromForm', () => {
  it('reads only the fields, leaves empty values out, and types numbers and checkboxes', () => {
    const form = {
      'input.subdomain': 'acme',
      'input.region': '',
      'input.port': ' 8080 ',
      'input.tier': '2',
      'input.sandbox': 'on',
      'input.apiKey': 'k',
      'input.extras': '{"a":1}',
      'input.__proto__': 'x',
      csrf: 'c',
    }
    expect(inputFromForm(fields(), form)).toEqual({ subdomain: 'acme', port: 8080, tier: 2, sandbox: true, apiKey: 'k' })
  })

  it('keeps a number that does not parse as text (so the schema names it) and an unchecked box as false', () => {
    expect(inputFromForm(fields(), { 'input.port': '80a' })).toEqual({ port: '80a', sandbox: false })
  })
})

describe('inputFieldHtml', () => {
  it('S22 renders a secret as a masked field without a value, whatever it is given', async () => {
    const html = await htmlOf(inputFieldHtml('f', field('apiKey'), 5, { value: 'typed-secret-value', error: 'API key is too short.' }))
    expect(html).toContain('<input type="password" id="f-apiKey" name="input.apiKey" required aria-required="true" aria-invalid="true"')
    expect(html).toContain('autocomplete="off"')
    expect(html).not.toContain('typed-secret-value')
    expect(html).not.toContain('value=')
  })

  it('ties the error and the hint to the control, error first', async () => {
    const html = await htmlOf(inputFieldHtml('f', field('subdomain'), 0, { value: 'a<b', error: 'Enter Subdomain.' }))
    expect(html).toContain('<label for="f-subdomain">Subdomain</label>')
    expect(html).toContain('aria-invalid="true" aria-describedby="f-subdomain-error f-subdomain-description" value="a&lt;b"')
    expect(html).toContain('<span class="field-error" id="f-subdomain-error">Enter Subdomain.</span>')
    expect(html).toContain('<span class="hint" id="f-subdomain-description">The part before .example.com.</span>')
  })

  it('selects the given or default option and marks optional fields', async () => {
    expect(await htmlOf(inputFieldHtml('f', field('region'), 1))).toContain('<option selected>eu</option>')
    expect(await htmlOf(inputFieldHtml('f', field('region'), 1, { value: 'us' }))).toContain('<option selected>us</option>')
    expect(await htmlOf(inputFieldHtml('f', field('port'), 2))).toContain('<label for="f-port">Port (optional)</label>')
    expect(await htmlOf(inputFieldHtml('f', field('sandbox'), 4))).toMatch(/<input type="checkbox" id="f-sandbox" name="input.sandbox" checked/)
  })

  it('gives a property whose name cannot be an id reference an id by position', async () => {
    const [odd] = (inputFieldsOf({ type: 'object', properties: { 'two words': { type: 'string' } } }) as { fields: InputField[] }).fields
    expect(await htmlOf(inputFieldHtml('f', odd as InputField, 3))).toContain('id="f-field3" name="input.two words"')
  })
})

describe('connectWaysOf', () => {
  const oauth: CompiledAuth = { type: 'oauth2', methods: {}, inputSchema: { type: 'object', properties: { subdomain: { type: 'string' } }, required: ['subdomain'] } }
  const apiKey: CompiledAuth = { type: 'client-credentials', title: 'API key', methods: {}, inputSchema: SCHEMA }
  const connector = (auth: CompiledConnector['auth']): CompiledConnector => ({ key: 'acme', name: 'Acme', auth })

  it('offers one way per auth option, in spec order, titled by the option', () => {
    expect(connectWaysOf(connector({ ...oauth, options: { oauth, 'api-key': apiKey } }))).toEqual([
      { authOption: 'oauth', title: 'oauth', type: 'oauth2', fields: [expect.objectContaining({ name: 'subdomain' })] },
      { authOption: 'api-key', title: 'API key', type: 'client-credentials', fields: [] },
    ])
  })

  it('S22 asks for a client-credentials input on the form page, never on the card', () => {
    expect(connectWaysOf(connector(apiKey))).toEqual([{ authOption: null, title: null, type: 'client-credentials', fields: [] }])
  })

  it('S22 never puts a secret of an oauth2 input into the connect URL', () => {
    const withSecret = (required: string[]): CompiledAuth => ({
      type: 'oauth2',
      methods: {},
      inputSchema: { type: 'object', properties: { subdomain: { type: 'string' }, apiToken: { type: 'string' } }, required },
    })
    expect(connectWaysOf(connector(withSecret(['apiToken'])))[0]?.fields).toBeNull()
    expect(connectWaysOf(connector(withSecret([])))[0]?.fields?.map((candidate) => candidate.name)).toEqual(['subdomain'])
  })

  it('says when a form cannot ask for the input', () => {
    const nested: CompiledAuth = { type: 'client-credentials', methods: {}, inputSchema: { type: 'object', properties: { o: { type: 'object' } }, required: ['o'] } }
    expect(connectWaysOf(connector(nested))[0]?.fields).toBeNull()
  })
})
