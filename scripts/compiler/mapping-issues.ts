/**
 * Places the issues the formula engine finds in a raw mapping (`compileMapping`) at the
 * author's line and column, wherever the mapping sits in its YAML file.
 */
import type { MappingIssue } from '../../src/formula/index.ts'
import type { Diagnostic } from './diagnostics.ts'
import { diagnosticAt } from './yaml-source.ts'
import type { YamlPath, YamlSource } from './yaml-source.ts'

/** One error per issue of the mapping found at `mappingPath` of `source`. */
export function mappingIssueDiagnostics(source: YamlSource, mappingPath: YamlPath, issues: readonly MappingIssue[]): Diagnostic[] {
  return issues.map((issue) => diagnosticAt(source, [...mappingPath, ...issue.path], issue.message, { target: issueTarget(issue) }))
}

// A bad locator is in the value (`$var: a..b`); other issues name a key (`$concatt:`,
// `delimeter:`), which is where the author's eye goes.
function issueTarget(issue: MappingIssue): 'key' | 'value' {
  return issue.reason === 'malformed_locator' ? 'value' : 'key'
}
