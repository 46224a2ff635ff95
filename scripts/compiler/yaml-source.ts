/**
 * A parsed YAML file that remembers where every node came from, so any problem found in
 * its plain JavaScript value (by path) can be reported at the author's line and column.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml'
import type { Document, Node } from 'yaml'
import type { Diagnostic } from './diagnostics.ts'

/** A key or index inside a parsed YAML value. */
export type YamlPath = readonly (string | number)[]

/** Which end of a `key: value` pair a diagnostic points at. */
export type YamlTarget = 'key' | 'value'

/** A YAML file parsed with positions; `file` is relative to the project root. */
export interface YamlSource {
  file: string
  value: unknown
  /** Line and column of the node at `path` (the deepest existing node when the path runs out). */
  positionOf(path: YamlPath, target?: YamlTarget): { line: number; column: number }
  /** The node at `path`, for callers that need its scalar style or raw range. */
  nodeAt(path: YamlPath): Node | null
  lineCounter: LineCounter
  text: string
}

/** Parses `text`; syntax errors (all of them, with positions) are returned as diagnostics. */
export function parseYamlSource(file: string, text: string): { source: YamlSource; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false })
  const diagnostics: Diagnostic[] = doc.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0])
    return { severity: 'error', file, line, column: col, message: `YAML syntax error: ${error.message}` }
  })
  const value = diagnostics.length === 0 ? doc.toJS() : undefined
  const source: YamlSource = {
    file,
    value,
    lineCounter,
    text,
    nodeAt: (path) => walk(doc, path).node,
    positionOf(path, target = 'value') {
      const { node, key } = walk(doc, path)
      const anchor = target === 'key' && key ? key : (node ?? key)
      const offset = anchor?.range?.[0] ?? 0
      const { line, col } = lineCounter.linePos(offset)
      return { line, column: col }
    },
  }
  return { source, diagnostics }
}

/**
 * Where `line`:`column` (1-based) of the text inside the string scalar at `path` is in the
 * YAML file: exact for block scalars (`code: |`), the scalar's own lines otherwise.
 */
export function positionInScalar(source: YamlSource, path: YamlPath, line: number, column: number): { line: number; column: number } {
  const node = source.nodeAt(path)
  const start = source.positionOf(path)
  if (!isScalar(node) || !node.range) return start
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
    const contentStart = source.text.indexOf('\n', node.range[0]) + 1
    const firstContentLine = /^[ \t]*(?=\S)/m.exec(source.text.slice(contentStart, node.range[1]))
    const indent = firstContentLine?.[0].length ?? 0
    return { line: start.line + line, column: indent + column }
  }
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0
  return line === 1 ? { line: start.line, column: start.column + quoted + column - 1 } : { line: start.line + line - 1, column }
}

/** A diagnostic at the node `path` of `source`. */
export function diagnosticAt(source: YamlSource, path: YamlPath, message: string, options: { target?: YamlTarget; severity?: Diagnostic['severity'] } = {}): Diagnostic {
  const { line, column } = source.positionOf(path, options.target)
  return { severity: options.severity ?? 'error', file: source.file, line, column, message }
}

// Follows `path` as far as it exists. `key` is the key node of the last pair entered, so a
// missing or empty value can still be reported at its key.
function walk(doc: Document, path: YamlPath): { node: Node | null; key: Node | null } {
  let node = (doc.contents as Node | null) ?? null
  let key: Node | null = null
  for (const segment of path) {
    if (isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? null
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment))
      if (!pair) break
      key = pair.key as Node
      node = (pair.value as Node | null) ?? null
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)]
      if (item === undefined) break
      key = null
      node = item as Node | null
    } else {
      break
    }
  }
  return { node, key }
}
