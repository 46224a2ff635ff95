import { describe, expect, it } from 'vitest'
import { evaluateMapping, type MappingNode } from '../../src/formula/index.ts'
import { compiled, runMapping } from './run-mapping.ts'

type Row = [sentence: string, mapping: unknown, scope: Record<string, unknown>, expected: unknown]

const scope = {
  credentials: { access_token: 'tok', realmId: '123', isSandbox: true, empty: '', nothing: null, zero: 0, list: ['a', 'b'] },
  'dotted.key': { 'with[bracket]': 'found' },
  numbers: [3, 1, 2],
}

describe('literals and structure', () => {
  it.each<Row>([
    ['keeps strings, numbers, booleans and null', { s: 'x', n: 1, b: false, z: null }, {}, { s: 'x', n: 1, b: false, z: null }],
    ['drops keys whose value is undefined', { a: { $var: 'missing' }, b: 1 }, {}, { b: 1 }],
    ['turns an object that ends up empty into undefined', { a: { $var: 'missing' } }, {}, undefined],
    ['drops a nested object that ends up empty, and then its parent', { a: { b: { $var: 'missing' } } }, {}, undefined],
    ['turns a literal empty object into undefined', {}, {}, undefined],
    ['turns a literal empty array into undefined', [], {}, undefined],
    ['drops undefined items from arrays', ['a', { $var: 'missing' }, 'b'], {}, ['a', 'b']],
    ['turns an array of undefined items into undefined', [{ $var: 'missing' }], {}, undefined],
    ['evaluates formulas inside arrays', [{ $var: 'credentials.realmId' }, [{ $concat: ['x', 'y'] }]], scope, ['123', ['xy']]],
    ['treats a $ key that is not first as an ordinary key', { a: 1, $var: 'kept' }, {}, { a: 1, $var: 'kept' }],
    ['keeps null from a variable (only undefined is dropped)', { n: { $var: 'credentials.nothing' } }, scope, { n: null }],
    ['builds a constructor key as an own data property', { constructor: 'c' }, {}, { constructor: 'c' }],
    ['never builds a __proto__ key', JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'), {}, { a: 1 }],
    ['returns a scalar mapping as it is', 'plain text', {}, 'plain text'],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })
})

describe('$var', () => {
  it.each<Row>([
    ['reads a nested value with the $. prefix', { $var: '$.credentials.access_token' }, scope, 'tok'],
    ['reads a nested value without the prefix', { $var: 'credentials.access_token' }, scope, 'tok'],
    ['reads an array item', { $var: 'credentials.list[1]' }, scope, 'b'],
    ['reads a key containing dots and brackets through escapes', { $var: 'dotted\\.key.with\\[bracket\\]' }, scope, 'found'],
    ['reads the whole scope with $', { $var: '$' }, { a: 1 }, { a: 1 }],
    ['gives undefined for a missing path', { $var: 'credentials.missing.deeper' }, scope, undefined],
    ['gives undefined through null', { $var: 'credentials.nothing.x' }, scope, undefined],
    ['gives undefined for an index past the end', { $var: 'credentials.list[5]' }, scope, undefined],
    ['gives undefined for a property of a string', { $var: 'credentials.access_token.length' }, scope, undefined],
    ['reads the length of an array (an own property)', { $var: 'credentials.list.length' }, scope, 2],
    ['never reads constructor from the prototype', { $var: 'credentials.constructor' }, scope, undefined],
    ['never reads __proto__ from the prototype', { $var: 'credentials.__proto__' }, scope, undefined],
    ['never reads toString from the prototype', { $var: 'toString' }, {}, undefined],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })

  it('returns the scope value itself without copying or changing it', () => {
    const credentials = { access_token: 'tok' }
    const frozen = Object.freeze({ credentials })
    expect(runMapping({ $var: 'credentials' }, frozen)).toBe(credentials)
  })
})

describe('$concat', () => {
  it.each<Row>([
    ['joins an array without a delimiter', { $concat: ['Bearer ', { $var: 'credentials.access_token' }] }, scope, 'Bearer tok'],
    ['joins values with a delimiter', { $concat: { values: ['a', 'b', 'c'], delimiter: '/' } }, {}, 'a/b/c'],
    ['drops null, undefined and empty strings', { $concat: { values: ['a', null, '', { $var: 'missing' }, 'b'], delimiter: '-' } }, {}, 'a-b'],
    ['writes numbers and booleans as text', { $concat: [1, true, 0, false] }, {}, '1true0false'],
    ['writes objects as JSON', { $concat: [{ $var: 'obj' }] }, { obj: { a: 1 } }, '{"a":1}'],
    ['gives an empty string when nothing is left', { $concat: [null, ''] }, {}, ''],
    ['joins an array that a variable holds', { $concat: { values: { $var: 'credentials.list' }, delimiter: ' ' } }, scope, 'a b'],
    ['treats a single value as a list of one', { $concat: { values: { $var: 'credentials.realmId' } } }, scope, '123'],
    ['treats a null delimiter as none', { $concat: { values: ['a', 'b'], delimiter: null } }, {}, 'ab'],
    ['takes a numeric delimiter as text', { $concat: { values: ['a', 'b'], delimiter: 0 } }, {}, 'a0b'],
    ['evaluates nested formulas', { $concat: [{ $concat: ['a', 'b'] }, { $tpl: { template: '{x}', values: { x: 'c' } } }] }, {}, 'abc'],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })
})

describe('$tpl', () => {
  it.each<Row>([
    ['replaces every placeholder', { $tpl: { template: '{a}-{b}-{a}', values: { a: 1, b: 'x' } } }, {}, '1-x-1'],
    ['replaces a placeholder with a variable', { $tpl: { template: 'Bearer {token}', values: { token: { $var: 'credentials.access_token' } } } }, scope, 'Bearer tok'],
    ['writes null as an empty string', { $tpl: { template: '[{a}]', values: { a: null } } }, {}, '[]'],
    ['writes a missing value as an empty string', { $tpl: { template: '[{a}]', values: { a: { $var: 'missing' } } } }, {}, '[]'],
    ['trims spaces inside braces', { $tpl: { template: '{ a }', values: { a: 'x' } } }, {}, 'x'],
    ['leaves empty braces alone', { $tpl: { template: 'a{}b', values: {} } }, {}, 'a{}b'],
    ['works without values', { $tpl: { template: 'no {placeholders} here' } }, {}, 'no  here'],
    ['takes values from a variable holding an object', { $tpl: { template: '{realmId}', values: { $var: 'credentials' } } }, scope, '123'],
    ['never reads a placeholder from the prototype', { $tpl: { template: '{constructor}{toString}', values: { a: 1 } } }, {}, ''],
    ['gives undefined for a missing template', { $tpl: { template: { $var: 'missing' } } }, {}, undefined],
    ['writes a numeric template as text', { $tpl: { template: 42 } }, {}, '42'],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })
})

describe('$case', () => {
  const sandboxCases = [
    { filter: { $var: 'credentials.isSandbox' }, value: 'sandbox' },
    { filter: { $var: 'credentials.zero' }, value: 'never: 0 is falsy' },
  ]
  it.each<Row>([
    ['picks the first case whose filter is truthy', { $case: { cases: sandboxCases, default: 'production' } }, scope, 'sandbox'],
    ['falls back to the default', { $case: { cases: sandboxCases, default: 'production' } }, { credentials: { isSandbox: false } }, 'production'],
    ['gives undefined without a match or a default', { $case: { cases: sandboxCases } }, {}, undefined],
    [
      'accepts a bare array of cases',
      {
        $case: [
          { filter: false, value: 'a' },
          { filter: 1, value: 'b' },
        ],
      },
      {},
      'b',
    ],
    ['always matches a case without a filter', { $case: [{ filter: null, value: 'a' }, { value: 'b' }, { value: 'c' }] }, {}, 'b'],
    ['gives undefined for a matching case without a value', { $case: [{ filter: true }, { value: 'b' }] }, {}, undefined],
    ['evaluates formulas in the chosen value only', { $case: [{ filter: true, value: { $concat: ['a', 'b'] } }] }, {}, 'ab'],
    ['treats an empty string filter as false', { $case: { cases: [{ filter: { $var: 'credentials.empty' }, value: 'x' }], default: 'd' } }, scope, 'd'],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })
})

describe('$map', () => {
  const table = [
    { from: 'sandbox', to: 'https://sandbox.example.com' },
    { from: 'production', to: 'https://example.com' },
    { from: 1, to: 'one' },
    { from: null, to: 'null' },
  ]
  it.each<Row>([
    ['looks up a value', { $map: { value: { $var: 'env' }, mapping: table } }, { env: 'production' }, 'https://example.com'],
    ['compares with strict equality', { $map: { value: { $var: 'n' }, mapping: table, default: 'none' } }, { n: '1' }, 'none'],
    ['matches a number', { $map: { value: { $var: 'n' }, mapping: table } }, { n: 1 }, 'one'],
    ['matches null', { $map: { value: null, mapping: table } }, {}, 'null'],
    ['gives the default when nothing matches', { $map: { value: 'other', mapping: table, default: { $var: 'fallback' } } }, { fallback: 'f' }, 'f'],
    ['gives undefined when nothing matches and there is no default', { $map: { value: { $var: 'missing' }, mapping: table } }, {}, undefined],
    ['evaluates from and to', { $map: { value: 'b', mapping: [{ from: { $concat: ['b'] }, to: { $var: 'x' } }] } }, { x: 'X' }, 'X'],
    ['gives undefined for a row without to', { $map: { value: 'a', mapping: [{ from: 'a' }], default: 'd' } }, {}, undefined],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })
})

describe('$eval', () => {
  it.each<[string, unknown, string, unknown, boolean]>([
    ['is: equal strings', 'a', 'is', 'a', true],
    ['is: strict, a string is not a number', '1', 'is', 1, false],
    ['is: true', true, 'is', true, true],
    ['isNot: different values', 'a', 'isNot', 'b', true],
    ['oneOf: in the list', 'b', 'oneOf', ['a', 'b'], true],
    ['oneOf: not in the list', 'c', 'oneOf', ['a', 'b'], false],
    ['oneOf: a single operand is a list of one', 'a', 'oneOf', 'a', true],
    ['oneOf: null operand is an empty list', 'a', 'oneOf', null, false],
    ['noneOf: not in the list', 'c', 'noneOf', ['a', 'b'], true],
    ['noneOf: in the list', 'a', 'noneOf', ['a'], false],
    ['contains: a substring', 'openid email', 'contains', 'email', true],
    ['contains: a number as text', 'v123', 'contains', 12, true],
    ['contains: an array item', ['openid', 'email'], 'contains', 'email', true],
    ['contains: null contains nothing', null, 'contains', 'a', false],
    ['doesNotContain: missing substring', 'openid', 'doesNotContain', 'email', true],
    ['doesNotContain: present array item', ['a'], 'doesNotContain', 'a', false],
    ['lt: numbers', 1, 'lt', 2, true],
    ['lte: equal numbers', 2, 'lte', 2, true],
    ['gt: strings (ISO dates)', '2026-02-01', 'gt', '2026-01-31', true],
    ['gte: numbers', 1, 'gte', 2, false],
    ['lt: a number and a string never compare', 1, 'lt', '2', false],
    ['gt: null never compares', null, 'gt', 0, false],
    ['isEmpty: empty string', '', 'isEmpty', true, true],
    ['isEmpty: null', null, 'isEmpty', true, true],
    ['isEmpty: empty array', [], 'isEmpty', true, true],
    ['isEmpty: zero is a value', 0, 'isEmpty', true, false],
    ['isNotEmpty: a string', 'x', 'isNotEmpty', true, true],
  ])('%s', (_sentence, value, operator, operand, expected) => {
    expect(runMapping({ $eval: { $var: 'value' }, [operator]: { $var: 'operand' } }, { value, operand })).toBe(expected)
  })

  it.each<Row>([
    ['compares undefined with is', { $eval: { $var: 'missing' }, is: null }, {}, false],
    ['treats an empty object as empty', { $eval: { $var: 'o' }, isEmpty: true }, { o: {} }, true],
    ['treats a missing value as empty', { $eval: { $var: 'missing' }, isEmpty: true }, {}, true],
    ['compares against a literal operand', { $eval: { $var: 'credentials.isSandbox' }, is: true }, scope, true],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })
})

describe('$and and $or', () => {
  it.each<Row>([
    ['$and is true when every argument is truthy', { $and: [true, 1, 'x'] }, {}, true],
    ['$and is false when one argument is falsy', { $and: [true, false] }, {}, false],
    ['$and ignores null and undefined arguments', { $and: [true, null, { $var: 'missing' }] }, {}, true],
    ['$and is undefined when every argument is null', { $and: [null, { $var: 'missing' }] }, {}, undefined],
    ['$and of no arguments is undefined', { $and: [] }, {}, undefined],
    ['$or is true when one argument is truthy', { $or: [false, 'x'] }, {}, true],
    ['$or is false when every argument is falsy', { $or: [false, 0, ''] }, {}, false],
    ['$or ignores null arguments', { $or: [null, false] }, {}, false],
    ['$or is undefined when every argument is null', { $or: [null, null] }, {}, undefined],
    [
      '$or takes $eval arguments',
      {
        $or: [
          { $eval: { $var: 'a' }, is: 1 },
          { $eval: { $var: 'a' }, is: 2 },
        ],
      },
      { a: 2 },
      true,
    ],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })
})

describe('$firstNotEmpty', () => {
  it.each<Row>([
    ['skips null and undefined', { $firstNotEmpty: [null, { $var: 'missing' }, 'x', 'y'] }, {}, 'x'],
    ['counts an empty string as a value', { $firstNotEmpty: [{ $var: 'credentials.empty' }, 'x'] }, scope, ''],
    ['counts 0 and false as values', { $firstNotEmpty: [null, 0, 1] }, {}, 0],
    ['gives undefined when nothing is there', { $firstNotEmpty: [null, { $var: 'missing' }] }, {}, undefined],
    ['returns objects', { $firstNotEmpty: [{ $var: 'missing' }, { a: 1 }] }, {}, { a: 1 }],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })
})

describe('$mergeObjects', () => {
  it.each<Row>([
    [
      'merges shallowly, later keys winning',
      {
        $mergeObjects: [
          { a: 1, b: { x: 1 } },
          { b: { y: 2 }, c: 3 },
        ],
      },
      {},
      { a: 1, b: { y: 2 }, c: 3 },
    ],
    ['skips undefined, null and non-object arguments', { $mergeObjects: [{ $var: 'missing' }, null, 'text', [1], { a: 1 }] }, {}, { a: 1 }],
    ['merges objects from variables', { $mergeObjects: [{ $var: 'base' }, { extra: true }] }, { base: { a: 1 } }, { a: 1, extra: true }],
    ['keeps a later undefined value from hiding an earlier one', { $mergeObjects: [{ a: 1 }, { a: { $var: 'missing' } }] }, {}, { a: 1 }],
    ['gives undefined when nothing is merged', { $mergeObjects: [{ $var: 'missing' }] }, {}, undefined],
    ['never copies a __proto__ key from data', { $mergeObjects: [{ $var: 'parsed' }] }, { parsed: JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') }, { a: 1 }],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })

  it('leaves the merged scope objects unchanged', () => {
    const base = { a: 1 }
    const result = runMapping({ $mergeObjects: [{ $var: 'base' }, { b: 2 }] }, { base })
    expect(result).toStrictEqual({ a: 1, b: 2 })
    expect(base).toStrictEqual({ a: 1 })
    expect(result).not.toBe(base)
  })

  it('builds no object whose prototype was replaced', () => {
    const result = runMapping({ $mergeObjects: [{ $var: 'parsed' }] }, { parsed: JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') })
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('$iterate', () => {
  const users = [
    { name: 'ann', teams: ['a', 'b'] },
    { name: 'bob', teams: [] },
    { name: '', teams: ['c'] },
  ]
  it.each<Row>([
    ['maps every item', { $iterate: { source: { $var: 'users' }, item: { $var: 'item.name' } } }, { users: users.slice(0, 2) }, ['ann', 'bob']],
    ['drops falsy results', { $iterate: { source: { $var: 'users' }, item: { $var: 'item.name' } } }, { users }, ['ann', 'bob']],
    ['drops 0 and false like any falsy result', { $iterate: { source: [0, 1, false, 2], item: { $var: 'item' } } }, {}, [1, 2]],
    ['gives the index', { $iterate: { source: ['a', 'b'], item: { $concat: [{ $var: 'index' }, ':', { $var: 'item' }] } } }, {}, ['0:a', '1:b']],
    ['keeps the outer scope visible', { $iterate: { source: ['a'], item: { $concat: [{ $var: 'prefix' }, { $var: 'item' }] } } }, { prefix: '>' }, ['>a']],
    ['gives the outer scope as parent', { $iterate: { source: ['a'], item: { $var: 'parent.prefix' } } }, { prefix: '>' }, ['>']],
    [
      'reaches the outer item from a nested iterate through parent',
      {
        $iterate: {
          source: { $var: 'users' },
          item: {
            $iterate: { source: { $var: 'item.teams' }, item: { $concat: { values: [{ $var: 'parent.item.name' }, { $var: 'parent.index' }, { $var: 'item' }], delimiter: '/' } } },
          },
        },
      },
      { users: users.slice(0, 2) },
      [['ann/0/a', 'ann/0/b']],
    ],
    ['builds objects per item, dropping empty ones', { $iterate: { source: [{ id: 1 }, {}], item: { id: { $var: 'item.id' } } } }, {}, [{ id: 1 }]],
    ['gives undefined for a source that is not an array', { $iterate: { source: { $var: 'users' }, item: 'x' } }, { users: { a: 1 } }, undefined],
    ['gives undefined for a missing source', { $iterate: { source: { $var: 'missing' }, item: 'x' } }, {}, undefined],
    ['gives undefined when every result is dropped', { $iterate: { source: [1, 2], item: null } }, {}, undefined],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })

  it('adds item, index and parent without changing the scope', () => {
    const variables = { list: ['a'], item: 'outer' }
    const snapshot = structuredClone(variables)
    expect(runMapping({ inner: { $iterate: { source: { $var: 'list' }, item: { $var: 'item' } } }, outer: { $var: 'item' } }, variables)).toStrictEqual({
      inner: ['a'],
      outer: 'outer',
    })
    expect(variables).toStrictEqual(snapshot)
  })
})

describe('$plain', () => {
  it.each<Row>([
    ['keeps formulas unevaluated', { $plain: { $var: 'credentials.access_token' } }, scope, { $var: 'credentials.access_token' }],
    ['keeps an empty object', { a: { $plain: {} } }, {}, { a: {} }],
    ['keeps an empty array', { $plain: [] }, {}, []],
    ['keeps scalars', { $plain: 'x' }, {}, 'x'],
    ['keeps null', { a: { $plain: null } }, {}, { a: null }],
    ['keeps unknown $ names', { $plain: { $nope: 1 } }, {}, { $nope: 1 }],
    ['drops a __proto__ key from a plain value', { $plain: JSON.parse('{"__proto__": {"polluted": true}, "a": 2}') }, {}, { a: 2 }],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })

  it('returns a fresh copy each time, so a caller cannot change the compiled mapping', () => {
    const node = compiled({ $plain: { nested: { list: [1] } } })
    const first = evaluateMapping(node, {}) as { nested: { list: number[] } }
    first.nested.list.push(2)
    expect(evaluateMapping(node, {})).toStrictEqual({ nested: { list: [1] } })
  })
})

describe('$copy', () => {
  it.each<Row>([
    ['copies another field', { a: { $var: 'x' }, b: { $copy: 'a' } }, { x: 1 }, { a: 1, b: 1 }],
    ['copies a field defined after it', { b: { $copy: 'a' }, a: { $var: 'x' } }, { x: 1 }, { b: 1, a: 1 }],
    [
      'copies a nested field with the $. prefix',
      { headers: { Authorization: 'Bearer t' }, auth: { $copy: '$.headers.Authorization' } },
      {},
      { headers: { Authorization: 'Bearer t' }, auth: 'Bearer t' },
    ],
    ['copies the result of a copy', { a: 1, b: { $copy: 'a' }, c: { $copy: 'b' } }, {}, { a: 1, b: 1, c: 1 }],
    ['copies into a formula argument', { host: 'h', url: { $concat: ['https://', { $copy: 'host' }] } }, {}, { host: 'h', url: 'https://h' }],
    ['reads into the value of a formula', { obj: { $mergeObjects: [{ a: { b: 1 } }] }, c: { $copy: 'obj.a.b' } }, {}, { obj: { a: { b: 1 } }, c: 1 }],
    ['reads an array item after undefined items are dropped', { list: [{ $var: 'missing' }, 'b'], first: { $copy: 'list[0]' } }, {}, { list: ['b'], first: 'b' }],
    ['is dropped when the field is missing', { a: 1, b: { $copy: 'nope' } }, {}, { a: 1 }],
    ['is dropped when the field evaluates to undefined', { a: { $var: 'missing' }, b: { $copy: 'a' } }, {}, undefined],
    [
      'reads the root result from inside $iterate',
      { prefix: '>', list: { $iterate: { source: ['a'], item: { $concat: [{ $copy: 'prefix' }, { $var: 'item' }] } } } },
      {},
      { prefix: '>', list: ['>a'] },
    ],
  ])('%s', (_sentence, mapping, variables, expected) => {
    expect(runMapping(mapping, variables)).toStrictEqual(expected)
  })

  it('gives undefined for a cycle in a hand-built node the build did not check', () => {
    const node: MappingNode = { op: 'object', entries: [['a', { op: 'copy', path: ['a'] }]] }
    expect(evaluateMapping(node, {})).toBeUndefined()
  })
})

describe('odd data', () => {
  const mapping = {
    concat: { $concat: [{ $var: 'v' }, { $var: 'v.a' }] },
    tpl: { $tpl: { template: 'x{a}', values: { $var: 'v' } } },
    eval: { $eval: { $var: 'v' }, contains: 'a' },
    iterate: { $iterate: { source: { $var: 'v' }, item: { $var: 'item.a' } } },
    merge: { $mergeObjects: [{ $var: 'v' }] },
    map: { $map: { value: { $var: 'v' }, mapping: [{ from: 'a', to: 'A' }] } },
  }
  const circular: Record<string, unknown> = {}
  circular.self = circular
  it.each<[string, unknown]>([
    ['null', null],
    ['an empty string', ''],
    ['a number', 42],
    ['a boolean', false],
    ['an array of nulls', [null, null]],
    ['a circular object', circular],
    ['a bigint', 10n],
    ['a function', () => 'x'],
  ])('evaluates without throwing when a variable is %s', (_sentence, v) => {
    expect(() => runMapping(mapping, { v })).not.toThrow()
  })
})
