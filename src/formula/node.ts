/**
 * The compiled form of a mapping: a JSON-serializable tree stored in registry.json and
 * walked by the evaluator. Locators are already split into paths, so evaluation parses
 * nothing. Scalars stand for themselves; every object in the tree is a tagged node.
 */

/** One step of a locator or of a location inside a raw mapping: a key or an array index. */
export type PathSegment = string | number

/** A value JSON can hold: what a mapping file and registry.json contain. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** A case of `$case`: `filter` absent means the case always matches. */
export interface CaseNode {
  filter?: MappingNode
  value?: MappingNode
}

/** A row of the `$map` lookup table. */
export interface MapRowNode {
  from: MappingNode
  to?: MappingNode
}

/** Operators of `$eval`, in the order the docs list them. */
export const EVAL_OPERATORS = ['is', 'isNot', 'oneOf', 'noneOf', 'contains', 'doesNotContain', 'lt', 'lte', 'gt', 'gte', 'isEmpty', 'isNotEmpty'] as const

/** An operator of `$eval`. */
export type EvalOperator = (typeof EVAL_OPERATORS)[number]

/** A compiled `$copy`: a path into the root result being built. */
export interface CopyNode {
  op: 'copy'
  path: PathSegment[]
}

/** A compiled mapping (see the file header). Optional fields are absent, never `undefined`. */
export type MappingNode =
  | string
  | number
  | boolean
  | null
  | { op: 'plain'; value: JsonValue }
  | { op: 'object'; entries: Array<[string, MappingNode]> }
  | { op: 'array'; items: MappingNode[] }
  | { op: 'var'; path: PathSegment[] }
  | CopyNode
  | { op: 'concat'; values: MappingNode; delimiter?: MappingNode }
  | { op: 'tpl'; template: MappingNode; values?: MappingNode }
  | { op: 'case'; cases: CaseNode[]; default?: MappingNode }
  | { op: 'map'; value: MappingNode; rows: MapRowNode[]; default?: MappingNode }
  | { op: 'eval'; value: MappingNode; operator: EvalOperator; operand?: MappingNode }
  | { op: 'and' | 'or' | 'firstNotEmpty' | 'mergeObjects'; args: MappingNode[] }
  | { op: 'iterate'; source: MappingNode; item: MappingNode }

/** A node that is a tagged object (not a scalar literal). */
export type TaggedNode = Extract<MappingNode, { op: string }>
