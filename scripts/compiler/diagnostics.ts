/**
 * Build diagnostics: every problem the connector compiler finds, with the file, line and
 * column an author has to open, collected for the whole run and reported together.
 */

/** One problem in one connector file; `file` is relative to the project root. */
export interface Diagnostic {
  severity: 'error' | 'warning'
  file: string
  /** 1-based. */
  line: number
  /** 1-based. */
  column: number
  message: string
}

/** `file:line:col message`, the shape editors and terminals turn into links. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const prefix = diagnostic.severity === 'warning' ? 'warning: ' : ''
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column} ${prefix}${diagnostic.message}`
}

/** Orders diagnostics by file, line, column, then message (code-unit order, locale independent). */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return compareStrings(a.file, b.file) || a.line - b.line || a.column - b.column || compareStrings(a.message, b.message)
}

/** Whether any diagnostic stops the build. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.severity === 'error')
}

/** Code-unit string order: the same on every machine, unlike `localeCompare`. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
