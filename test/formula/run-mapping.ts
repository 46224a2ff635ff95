/**
 * Test helper: compiles a raw mapping, sends the node through JSON (as registry.json does)
 * and evaluates it, so every evaluation test also proves the node is JSON-serializable.
 */
import { expect } from 'vitest'
import { compileMapping, evaluateMapping, type MappingNode } from '../../src/formula/index.ts'

/** Compiles `raw` (failing the test on any issue) and returns the node as read back from JSON. */
export function compiled(raw: unknown): MappingNode {
  const result = compileMapping(raw)
  if (!result.ok) expect.fail(`unexpected issues: ${JSON.stringify(result.issues)}`)
  return JSON.parse(JSON.stringify(result.node)) as MappingNode
}

/** Compiles `raw` and evaluates it with `scope`. */
export function runMapping(raw: unknown, scope: Record<string, unknown> = {}): unknown {
  return evaluateMapping(compiled(raw), scope)
}
