/**
 * Where a `$copy` locator points inside the compiled tree. The walk follows object nodes
 * only: their keys are the keys of the result. Anything else (an array, whose items shift
 * when undefined ones are dropped, or a formula) has to be evaluated, and the rest of the
 * path is read from its value.
 */
import type { MappingNode, PathSegment } from './node.ts'

/** The node a copy path reaches statically, and what is left of the path inside its value. */
export interface CopyTarget {
  node: MappingNode
  rest: PathSegment[]
}

/** The target of `path` in `root`, or `undefined` when an object node has no such key. */
export function findCopyTarget(root: MappingNode, path: readonly PathSegment[]): CopyTarget | undefined {
  let node = root
  for (let i = 0; i < path.length; i++) {
    if (node === null || typeof node !== 'object' || node.op !== 'object') return { node, rest: path.slice(i) }
    const key = String(path[i])
    const entry = node.entries.find(([entryKey]) => entryKey === key)
    if (!entry) return undefined
    node = entry[1]
  }
  return { node, rest: [] }
}
