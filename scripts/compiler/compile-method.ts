/**
 * Compiles one located method: a mapping is pre-parsed with the formula engine (and the
 * literal fields of an oauth2 getOAuthConfig and of makeApiClient type-checked), a rest-api-mapping is
 * pre-parsed part by part, a JavaScript method is checked for what it exports. Every
 * problem is placed at its line and column, in the method's own file or inline in spec.yml.
 */
import { compileMapping } from '../../src/formula/index.ts'
import { AUTH_TYPES } from '../../src/registry/types.ts'
import type { AuthType, CompiledMethod, MethodName } from '../../src/registry/types.ts'
import { checkApiClientMapping } from './check-api-client.ts'
import { checkOAuthConfigMapping } from './check-oauth-config.ts'
import { compileRestApiMapping } from './compile-rest-api-mapping.ts'
import { hasErrors } from './diagnostics.ts'
import type { Diagnostic } from './diagnostics.ts'
import { analyzeJsModule } from './js-exports.ts'
import type { JsProblem } from './js-exports.ts'
import { fieldDiagnostic } from './literal-fields.ts'
import type { LocatedProblem } from './literal-fields.ts'
import { mappingIssueDiagnostics } from './mapping-issues.ts'
import { methodModule } from './method-modules.ts'
import type { MethodModule } from './method-modules.ts'
import type { CodeLocation, MethodSource } from './resolve-method.ts'
import { diagnosticAt, positionInScalar } from './yaml-source.ts'

/** A compiled method, plus the module to bundle when it is JavaScript. */
export interface MethodResult {
  compiled: CompiledMethod | undefined
  module: MethodModule | undefined
  diagnostics: Diagnostic[]
}

// Literal-field checks of the methods whose result the runtime validates field by field, and
// the auth types they hold for: an oauth1 getOAuthConfig has other fields (consumerKey,
// requestTokenUri, ...), which the oauth1 runtime validates.
const LITERAL_CHECKS: Partial<Record<MethodName, { types: readonly AuthType[]; check: (raw: unknown) => LocatedProblem[] }>> = {
  getOAuthConfig: { types: ['oauth2'], check: checkOAuthConfigMapping },
  makeApiClient: { types: AUTH_TYPES, check: checkApiClientMapping },
}

/**
 * Compiles `source`, the implementation of `method` for auth blocks of `authTypes` (several
 * when options share it); a JavaScript method is bundled as `moduleId`.
 */
export async function compileMethod(moduleId: string, method: MethodName, source: MethodSource, authTypes: readonly AuthType[]): Promise<MethodResult> {
  if (source.implementationType === 'rest-api-mapping') {
    const result = compileRestApiMapping(method, source)
    return { compiled: result.compiled, module: undefined, diagnostics: result.diagnostics }
  }
  if (source.implementationType === 'mapping') {
    if (source.raw === null || source.raw === undefined) {
      return failed([diagnosticAt(source.source, source.path, `the ${method} mapping is empty: write the value ${method} returns`)])
    }
    const result = compileMapping(source.raw)
    if (!result.ok) return failed(mappingIssueDiagnostics(source.source, source.path, result.issues))
    const literal = LITERAL_CHECKS[method]
    const fieldProblems = literal && authTypes.some((type) => literal.types.includes(type)) ? literal.check(source.raw) : []
    const diagnostics = fieldProblems.map((problem) => fieldDiagnostic(source.source, source.path, problem))
    if (hasErrors(diagnostics)) return failed(diagnostics)
    return { compiled: { implementationType: 'mapping', mapping: result.node, source: source.origin }, module: undefined, diagnostics }
  }
  const analysis = await analyzeJsModule({ code: source.code, loader: source.loader, method, allowBareFunction: source.location.kind === 'inline' })
  if (!analysis.ok) return failed(analysis.problems.map((problem) => problemDiagnostic(source.location, problem)))
  return {
    compiled: { implementationType: 'javascript', moduleId, source: source.origin },
    module: methodModule(moduleId, source.origin, source.location, source.code, analysis.export),
    diagnostics: [],
  }
}

function failed(diagnostics: Diagnostic[]): MethodResult {
  return { compiled: undefined, module: undefined, diagnostics }
}

function problemDiagnostic(location: CodeLocation, problem: JsProblem): Diagnostic {
  if (location.kind === 'file') {
    return { severity: 'error', file: location.display, line: problem.line, column: problem.column, message: problem.message }
  }
  const { line, column } = positionInScalar(location.spec, location.path, problem.line, problem.column)
  return { severity: 'error', file: location.spec.file, line, column, message: problem.message }
}
