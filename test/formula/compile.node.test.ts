import { describe, expect, it } from 'vitest'
import { compileMapping, FORMULA_NAMES, type MappingIssue } from '../../src/formula/index.ts'

function issuesOf(raw: unknown): MappingIssue[] {
  const result = compileMapping(raw)
  if (result.ok) expect.fail('expected issues, the mapping compiled')
  return result.issues
}

describe('compileMapping issues', () => {
  it.each<[string, unknown, MappingIssue]>([
    [
      'a misspelt formula, suggesting the closest name',
      { headers: { Authorization: { $concatt: ['Bearer ', 'x'] } } },
      { path: ['headers', 'Authorization', '$concatt'], reason: 'unknown_formula', message: 'unknown formula $concatt (did you mean $concat?)' },
    ],
    [
      'a misspelt formula in another case',
      { a: { $FirstNotEmpty: [1] } },
      { path: ['a', '$FirstNotEmpty'], reason: 'unknown_formula', message: 'unknown formula $FirstNotEmpty (did you mean $firstNotEmpty?)' },
    ],
    [
      'a $ key first that is no formula, without a far-fetched suggestion',
      { $something: 1 },
      {
        path: ['$something'],
        reason: 'unknown_formula',
        message: 'unknown formula $something (a key starting with "$" must be a formula when it comes first; move it after another key to use it as a plain key)',
      },
    ],
    [
      'a formula of the format Latchkey does not run',
      { $jsonata: '$.a' },
      { path: ['$jsonata'], reason: 'unknown_formula', message: 'formula $jsonata is not supported by Latchkey (write a javascript method instead)' },
    ],
    [
      'a malformed $var locator inside a formula inside an array',
      { headers: { Authorization: { $concat: ['Bearer ', { $var: 'credentials..access_token' }] } } },
      {
        path: ['headers', 'Authorization', '$concat', 1, '$var'],
        reason: 'malformed_locator',
        message: 'malformed locator "credentials..access_token" in $var: empty key before "." at position 12',
      },
    ],
    [
      'a malformed $copy locator',
      { a: { $copy: 'a[x]' } },
      {
        path: ['a', '$copy'],
        reason: 'malformed_locator',
        message: 'malformed locator "a[x]" in $copy: "[x]" at position 1 is not an array index (write a number, or escape the bracket as \\[)',
      },
    ],
    ['an empty locator', { $var: '' }, { path: ['$var'], reason: 'malformed_locator', message: 'malformed locator "" in $var: the locator is empty' }],
    [
      'a locator that is not a string',
      { $var: 1 },
      { path: ['$var'], reason: 'invalid_formula_arguments', message: '$var takes a locator string such as $.credentials.access_token' },
    ],
    [
      'a key next to a formula',
      { $var: 'a', default: 'x' },
      {
        path: ['default'],
        reason: 'invalid_formula_arguments',
        message: 'unexpected key "default" next to $var (a formula object has only its formula key; $eval also has its operator)',
      },
    ],
    [
      'a misspelt argument key, suggesting the right one',
      { $concat: { values: ['a'], delimeter: ',' } },
      { path: ['$concat', 'delimeter'], reason: 'invalid_formula_arguments', message: 'unknown key "delimeter" in $concat (did you mean delimiter?)' },
    ],
    [
      'an argument key far from any allowed one',
      { $iterate: { source: [], item: 1, each: 2 } },
      { path: ['$iterate', 'each'], reason: 'invalid_formula_arguments', message: 'unknown key "each" in $iterate (allowed: source, item)' },
    ],
    [
      'a missing required argument',
      { $tpl: { values: {} } },
      { path: ['$tpl'], reason: 'invalid_formula_arguments', message: '$tpl needs "template" (it takes {template, values} (template like "Bearer {token}"))' },
    ],
    ['$concat with a string', { $concat: 'a' }, { path: ['$concat'], reason: 'invalid_formula_arguments', message: '$concat takes an array of values, or {values, delimiter}' }],
    [
      '$case cases that are not an array',
      { $case: { cases: { filter: true } } },
      { path: ['$case', 'cases'], reason: 'invalid_formula_arguments', message: '$case takes an array of cases {filter, value}, or {cases, default}' },
    ],
    [
      'a $case case with a misspelt key',
      { $case: [{ filter: true, valeu: 1 }] },
      { path: ['$case', 0, 'valeu'], reason: 'invalid_formula_arguments', message: 'unknown key "valeu" in $case (did you mean value?)' },
    ],
    [
      '$map without mapping',
      { $map: { value: 1 } },
      { path: ['$map'], reason: 'invalid_formula_arguments', message: '$map needs "mapping" (it takes {value, mapping: [{from, to}], default})' },
    ],
    [
      'a $map row without from',
      { $map: { value: 1, mapping: [{ from: 1, to: 2 }, { to: 3 }] } },
      {
        path: ['$map', 'mapping', 1],
        reason: 'invalid_formula_arguments',
        message: '$map needs "from" (it takes {value, mapping: [{from, to}], default}; each mapping row is {from, to})',
      },
    ],
    ['$and with an object', { $and: { a: true } }, { path: ['$and'], reason: 'invalid_formula_arguments', message: '$and takes an array of values' }],
    [
      '$eval without an operator',
      { $eval: 1 },
      {
        path: ['$eval'],
        reason: 'invalid_formula_arguments',
        message: '$eval needs an operator as its second key (one of: is, isNot, oneOf, noneOf, contains, doesNotContain, lt, lte, gt, gte, isEmpty, isNotEmpty)',
      },
    ],
    [
      'an unknown $eval operator, suggesting the closest',
      { $eval: 1, isnt: 2 },
      { path: ['isnt'], reason: 'invalid_formula_arguments', message: 'unknown $eval operator "isnt" (did you mean isNot?)' },
    ],
    [
      'an unknown $eval operator without a close one',
      { $eval: 1, equals: 2 },
      {
        path: ['equals'],
        reason: 'invalid_formula_arguments',
        message: 'unknown $eval operator "equals" (one of: is, isNot, oneOf, noneOf, contains, doesNotContain, lt, lte, gt, gte, isEmpty, isNotEmpty)',
      },
    ],
    [
      'a third key next to $eval',
      { $eval: 1, is: 1, or: 2 },
      { path: ['or'], reason: 'invalid_formula_arguments', message: 'unexpected key "or" next to $eval (a formula object has only its formula key; $eval also has its operator)' },
    ],
    [
      'a $copy of its own field',
      { a: { $copy: 'a' } },
      { path: ['a', '$copy'], reason: 'invalid_formula_arguments', message: '$copy cycle: a -> a (a field cannot copy itself, directly or through other $copy)' },
    ],
    [
      'a $copy of the object that holds it',
      { a: { b: { $copy: 'a' } } },
      { path: ['a', 'b', '$copy'], reason: 'invalid_formula_arguments', message: '$copy cycle: a -> a (a field cannot copy itself, directly or through other $copy)' },
    ],
    [
      'a $copy of the whole result',
      { a: { $concat: [{ $copy: '$' }] } },
      { path: ['a', '$concat', 0, '$copy'], reason: 'invalid_formula_arguments', message: '$copy cycle: $ -> $ (a field cannot copy itself, directly or through other $copy)' },
    ],
    [
      'a number JSON cannot hold',
      { a: Number.NaN },
      { path: ['a'], reason: 'invalid_formula_arguments', message: 'the number NaN is not a JSON value (use strings, numbers, booleans, null, arrays and objects)' },
    ],
    [
      'a date inside $plain',
      { $plain: { at: new Date(0) } },
      {
        path: ['$plain', 'at'],
        reason: 'invalid_formula_arguments',
        message: 'an instance of Date is not a JSON value (use strings, numbers, booleans, null, arrays and objects)',
      },
    ],
  ])('reports %s', (_sentence, raw, issue) => {
    expect(issuesOf(raw)).toStrictEqual([issue])
  })

  it('reports mutual copies at both copies', () => {
    expect(issuesOf({ a: { $copy: 'b' }, b: { x: { $copy: 'a' } } })).toStrictEqual([
      { path: ['a', '$copy'], reason: 'invalid_formula_arguments', message: '$copy cycle: b -> a -> b (a field cannot copy itself, directly or through other $copy)' },
      { path: ['b', 'x', '$copy'], reason: 'invalid_formula_arguments', message: '$copy cycle: a -> b -> a (a field cannot copy itself, directly or through other $copy)' },
    ])
  })

  it('collects every issue of a mapping, not only the first', () => {
    const issues = issuesOf({
      clientId: { $var: 'a..b' },
      scopes: { $concatt: [] },
      headers: { Authorization: { $concat: ['Bearer ', { $var: 'x[' }] } },
      test: { $eval: 1, equals: 2 },
    })
    expect(issues.map((issue) => [issue.reason, issue.path])).toStrictEqual([
      ['malformed_locator', ['clientId', '$var']],
      ['unknown_formula', ['scopes', '$concatt']],
      ['malformed_locator', ['headers', 'Authorization', '$concat', 1, '$var']],
      ['invalid_formula_arguments', ['test', 'equals']],
    ])
  })

  it('keeps looking inside the valid parts of a formula with a bad key', () => {
    expect(issuesOf({ $concat: { values: [{ $var: 'a..b' }], delimeter: 1 } }).map((issue) => issue.path)).toStrictEqual([
      ['$concat', 'delimeter'],
      ['$concat', 'values', 0, '$var'],
    ])
  })
})

describe('compileMapping output', () => {
  const mapping = {
    clientId: { $var: '$.connectorParameters.clientId' },
    scopes: { $var: 'connectorParameters.scopes' },
    extra: { prompt: 'consent', $var: 'a plain key' },
    check: { $eval: { $var: 'x' }, isEmpty: true },
  }

  it('compiles to JSON that reads back identically', () => {
    const result = compileMapping(mapping)
    if (!result.ok) expect.fail(JSON.stringify(result.issues))
    expect(JSON.parse(JSON.stringify(result.node))).toStrictEqual(result.node)
  })

  it('compiles the same mapping to the same bytes every time', () => {
    expect(JSON.stringify(compileMapping(mapping))).toBe(JSON.stringify(compileMapping(structuredClone(mapping))))
  })

  it('stores locators already split into paths', () => {
    const result = compileMapping({ $var: '$.a\\.b[0]' })
    expect(result).toStrictEqual({ ok: true, node: { op: 'var', path: ['a.b', 0] } })
  })

  it.each(FORMULA_NAMES)('recognises %s as a formula', (name) => {
    const result = compileMapping({ [name]: null })
    const unknown = result.ok ? [] : result.issues.filter((issue) => issue.reason === 'unknown_formula')
    expect(unknown).toStrictEqual([])
  })
})
