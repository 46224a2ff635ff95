/**
 * Build-time detection of `$copy` cycles (a field copying itself, directly or through other
 * copies). Evaluating a copy evaluates its target node (see copy-target.ts), so copy A
 * depends on every copy inside A's target; a cycle is a copy that depends on itself.
 */
import { findCopyTarget } from './copy-target.ts'
import type { CopyNode, MappingNode, PathSegment, TaggedNode } from './node.ts'

/** A compiled `$copy` and where it is in the raw mapping. */
export interface CopySite {
  node: CopyNode
  path: PathSegment[]
}

/** A copy that is part of a cycle, with the chain of copied locators back to itself. */
export interface CopyCycle {
  path: PathSegment[]
  targets: PathSegment[][]
}

/** Every copy in `copies` that depends on itself, in the order given. */
export function findCopyCycles(root: MappingNode, copies: readonly CopySite[]): CopyCycle[] {
  const dependencies = new Map<CopyNode, CopyNode[]>()
  for (const { node } of copies) {
    const target = findCopyTarget(root, node.path)
    dependencies.set(node, target ? copiesWithin(target.node) : [])
  }
  const cycles: CopyCycle[] = []
  for (const { node, path } of copies) {
    const chain = chainBackTo(node, node, dependencies, new Set())
    if (chain) cycles.push({ path, targets: [node, ...chain].map((copy) => copy.path) })
  }
  return cycles
}

/** A chain of copies from `from` that ends at `start` (inclusive), if there is one. */
function chainBackTo(start: CopyNode, from: CopyNode, dependencies: Map<CopyNode, CopyNode[]>, visited: Set<CopyNode>): CopyNode[] | undefined {
  for (const next of dependencies.get(from) ?? []) {
    if (next === start) return [next]
    if (visited.has(next)) continue
    visited.add(next)
    const rest = chainBackTo(start, next, dependencies, visited)
    if (rest) return [next, ...rest]
  }
  return undefined
}

function copiesWithin(node: MappingNode): CopyNode[] {
  if (node === null || typeof node !== 'object') return []
  if (node.op === 'copy') return [node]
  return childNodes(node).flatMap(copiesWithin)
}

function childNodes(node: TaggedNode): MappingNode[] {
  switch (node.op) {
    case 'plain':
    case 'var':
    case 'copy':
      return []
    case 'object':
      return node.entries.map(([, child]) => child)
    case 'array':
      return node.items
    case 'concat':
      return present([node.values, node.delimiter])
    case 'tpl':
      return present([node.template, node.values])
    case 'case':
      return present([...node.cases.flatMap((c) => [c.filter, c.value]), node.default])
    case 'map':
      return present([node.value, ...node.rows.flatMap((row) => [row.from, row.to]), node.default])
    case 'eval':
      return present([node.value, node.operand])
    case 'and':
    case 'or':
    case 'firstNotEmpty':
    case 'mergeObjects':
      return node.args
    case 'iterate':
      return [node.source, node.item]
  }
}

function present(nodes: Array<MappingNode | undefined>): MappingNode[] {
  return nodes.filter((node): node is MappingNode => node !== undefined)
}
