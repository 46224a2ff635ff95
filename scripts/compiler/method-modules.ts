/**
 * The ES module behind each JavaScript method, as `methods.ts` will import it: the
 * author's own file when it is an ES module, otherwise a generated module (CommonJS
 * wrapped with its own `module`/`exports`, inline code, bare function expressions).
 */
import type { JsExport } from './js-exports.ts'
import type { CodeLocation } from './resolve-method.ts'

/**
 * The id `methods.ts` exports a method under (and its module's path): `<connectorKey>/<method>`
 * at the auth level, `<connectorKey>/<option>/<method>` for an option's own method (option
 * keys have no slash), so no two methods of a build share an id or a module file.
 */
export function moduleIdOf(connectorKey: string, method: string, option: string | undefined): string {
  return option === undefined ? `${connectorKey}/${method}` : `${connectorKey}/${option}/${method}`
}

/**
 * One JavaScript method to bundle (bundle-methods.ts), keyed by its `moduleId` (`moduleIdOf`);
 * `origin` is the file (or `spec.yml#auth.<method>`) it came from.
 */
export type MethodModule =
  /** The author's file (absolute path), exporting the method as `exportName`. */
  | { moduleId: string; origin: string; kind: 'file'; file: string; exportName: string }
  /** Code written for the method (inline code, CommonJS wrapper), exporting it as `exportName`. */
  | { moduleId: string; origin: string; kind: 'generated'; code: string; exportName: string }

/** How `methods.ts` gets the method `moduleId`: `code` as written at `location`, exporting as `found`. */
export function methodModule(moduleId: string, origin: string, location: CodeLocation, code: string, found: JsExport): MethodModule {
  switch (found.format) {
    case 'esm':
      return location.kind === 'file'
        ? { moduleId, origin, kind: 'file', file: location.file, exportName: found.exportName }
        : { moduleId, origin, kind: 'generated', code, exportName: found.exportName }
    case 'cjs':
      return { moduleId, origin, kind: 'generated', code: wrapCommonJs(found.code, found.property), exportName: 'default' }
    case 'bare-function':
      return { moduleId, origin, kind: 'generated', code: found.code, exportName: 'default' }
  }
}

// Runs the CommonJS code once, at import, as Node would (`this` is `module.exports`), and
// default-exports the method. The code is not evaluated at build time.
function wrapCommonJs(code: string, property: string | undefined): string {
  const pick = property === undefined ? 'module.exports' : `module.exports[${JSON.stringify(property)}]`
  return [
    'const module = { exports: {} }',
    ';(function (module, exports) {',
    `${code.replace(/\n?$/, '\n')}}).call(module.exports, module, module.exports)`,
    `export default ${pick}`,
    '',
  ].join('\n')
}
