/**
 * Finds, without running it, how a JavaScript (or TypeScript) connector module exports its
 * method: ESM (`es-module-lexer`), CommonJS (`cjs-module-lexer`), or, for inline `code:`,
 * a bare function expression. Syntax errors and `require(` calls are problems with positions.
 */
import { parse as parseCommonJs } from 'cjs-module-lexer'
import { init as initEsmLexer, parse as parseEsm } from 'es-module-lexer'
import { transform } from 'esbuild'
import type { Message } from 'esbuild'
import type { MethodName } from '../../src/registry/types.ts'
import { maskNonCode, assignsModuleExports, findRequireCalls } from './js-scan.ts'
import { closestMatch } from '../../src/did-you-mean.ts'
import { exportNamesFor } from './method-names.ts'

/** How a module hands over its method, i.e. what the generated import has to pick. */
export type JsExport =
  /** An ES module: import `exportName` (`default` or a method name) from it. */
  | { format: 'esm'; exportName: string }
  /** CommonJS: run `code` with `module`/`exports`, then take `module.exports[property]`, or `module.exports` itself. */
  | { format: 'cjs'; code: string; property: string | undefined }
  /** Inline bare function expression, already turned into an ES module with a default export. */
  | { format: 'bare-function'; code: string }

/** A problem in the analysed code; line and column are 1-based, relative to the code itself. */
export interface JsProblem {
  line: number
  column: number
  message: string
}

/** What to analyse: the code, whether it is TypeScript, and which method it must export. */
export interface JsModuleInput {
  code: string
  loader: 'js' | 'ts'
  method: MethodName
  /** Inline `code:` may also be a bare function expression. */
  allowBareFunction: boolean
}

const esmLexerReady = initEsmLexer()

/** Analyses `input`; either how it exports the method, or every problem found. */
export async function analyzeJsModule(input: JsModuleInput): Promise<{ ok: true; export: JsExport } | { ok: false; problems: JsProblem[] }> {
  await esmLexerReady
  const requireProblems = requireCalls(input.code)
  const compiled = await compileSyntax(input.code, input.loader)
  if (!compiled.ok) {
    const bare = input.allowBareFunction ? await asBareFunction(input.code) : undefined
    if (bare?.ok) return withRequireProblems(requireProblems, { format: 'bare-function', code: bare.code })
    const looksLikeFunction = /^\s*(async\b|function\b)/.test(input.code)
    return { ok: false, problems: [...requireProblems, ...(bare && looksLikeFunction ? bare.problems : compiled.problems)] }
  }
  // Lex the JavaScript that will actually run: TypeScript without its types.
  const js = input.loader === 'ts' ? compiled.code : input.code
  const names = exportNamesFor(input.method)
  const [, esmExports, , hasModuleSyntax] = parseEsm(js)
  if (hasModuleSyntax) {
    const named = esmExports.flatMap((entry) => (entry.type === 'reexport-all' || entry.typeOnly ? [] : [entry]))
    const found = named.map((entry) => entry.name)
    const exportName = names.find((name) => found.includes(name)) ?? (found.includes('default') ? 'default' : undefined)
    if (exportName) return withRequireProblems(requireProblems, { format: 'esm', exportName })
    const problem = missingExport(input.method, found)
    // Point at a misspelt export when there is one; positions are in `js`, equal to the code for .js files.
    const misspelt = input.loader === 'js' ? named.find((entry) => entry.name === closestMatch(input.method, found)) : undefined
    return { ok: false, problems: [...requireProblems, misspelt ? { ...problem, ...positionAt(js, misspelt.start) } : problem] }
  }
  const commonJs = parseCommonJs(js)
  const property = names.find((name) => commonJs.exports.includes(name)) ?? (commonJs.exports.includes('default') ? 'default' : undefined)
  if (property) return withRequireProblems(requireProblems, { format: 'cjs', code: js, property })
  if (commonJs.exports.length === 0 && assignsModuleExports(maskNonCode(js))) {
    return withRequireProblems(requireProblems, { format: 'cjs', code: js, property: undefined })
  }
  if (commonJs.exports.length === 0 && input.allowBareFunction) {
    const bare = await asBareFunction(input.code)
    if (bare.ok) return withRequireProblems(requireProblems, { format: 'bare-function', code: bare.code })
  }
  return { ok: false, problems: [...requireProblems, missingExport(input.method, commonJs.exports)] }
}

function withRequireProblems(problems: JsProblem[], found: JsExport): { ok: true; export: JsExport } | { ok: false; problems: JsProblem[] } {
  return problems.length > 0 ? { ok: false, problems } : { ok: true, export: found }
}

function missingExport(method: MethodName, found: readonly string[]): JsProblem {
  const names = exportNamesFor(method)
  const misspelt = closestMatch(method, found)
  const what = found.length > 0 ? `found exports ${[...found].sort().join(', ')}${misspelt ? ` (did you mean ${method} instead of ${misspelt}?)` : ''}` : 'found no exports'
  return {
    line: 1,
    column: 1,
    message: `does not export ${names.join(' or ')}: ${what}; export it as default, as a named export ${names[0]}, or as exports.${names[0]} = ...`,
  }
}

function requireCalls(code: string): JsProblem[] {
  // Masking is a character scan: skip it for the usual file that never says "require".
  if (!code.includes('require')) return []
  return findRequireCalls(maskNonCode(code)).map((offset) => ({
    ...positionAt(code, offset),
    message: 'require() is not available in Workers: use the global fetch for HTTP and keep helpers in the method file',
  }))
}

// esbuild parses the code (and strips TypeScript); a failure carries exact positions.
async function compileSyntax(code: string, loader: 'js' | 'ts'): Promise<{ ok: true; code: string } | { ok: false; problems: JsProblem[] }> {
  try {
    const result = await transform(code, { loader, logLevel: 'silent' })
    return { ok: true, code: result.code }
  } catch (error) {
    return { ok: false, problems: esbuildProblems(error) }
  }
}

// `async function ({...}) {...}` is not a valid statement, so it is parsed as the
// expression of a default export; the code keeps its own first line as line 2.
async function asBareFunction(code: string): Promise<{ ok: true; code: string } | { ok: false; problems: JsProblem[] }> {
  const moduleCode = `export default (\n${code.replace(/[\s;]*$/, '')}\n)\n`
  const compiled = await compileSyntax(moduleCode, 'js')
  if (compiled.ok) return { ok: true, code: moduleCode }
  return { ok: false, problems: compiled.problems.map((problem) => ({ ...problem, line: Math.max(1, problem.line - 1) })) }
}

function esbuildProblems(error: unknown): JsProblem[] {
  const messages: Message[] = (error as { errors?: Message[] }).errors ?? []
  if (messages.length === 0) throw error
  return messages.map((message) => {
    const location = message.location
    // esbuild columns count UTF-8 bytes; editors count characters.
    const column = location ? Buffer.from(location.lineText).subarray(0, location.column).toString().length + 1 : 1
    return { line: location?.line ?? 1, column, message: `JavaScript syntax error: ${message.text}` }
  })
}

/** 1-based line and column of `offset` in `text`. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const lineStart = before.lastIndexOf('\n') + 1
  return { line: before.split('\n').length, column: offset - lineStart + 1 }
}
