/**
 * The formula (mapping) language of connector specs: compiled once at build time
 * (`compileMapping`, `parseLocator`), interpreted at run time without eval
 * (`evaluateMapping`). The code lives in the sibling files; this file only re-exports.
 */
export type { JsonValue, MappingNode, PathSegment } from './node.ts'
export { FORMULA_NAMES } from './names.ts'
export { parseLocator, type LocatorResult } from './locator.ts'
export type { MappingIssue } from './issues.ts'
export { compileMapping, type CompileResult } from './compile.ts'
export { evaluateMapping } from './evaluate.ts'
