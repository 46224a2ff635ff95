/**
 * Module resolve hook (registered by node20-fs.mjs on a Node without `fs.globSync`): an `fs`
 * import from the MCP conformance package resolves to node20-fs-shim.mjs, every other import as
 * usual. Scoped to that one package so nothing else, this repository included, sees a changed `fs`.
 */

/** The conformance package's files, wherever npm placed it. */
const CONFORMANCE_PACKAGE = '/node_modules/@modelcontextprotocol/conformance/'
const SHIM_URL = new URL('./node20-fs-shim.mjs', import.meta.url).href

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  const fromConformance = context.parentURL?.includes(CONFORMANCE_PACKAGE) === true
  if (fromConformance && (specifier === 'fs' || specifier === 'node:fs')) return { url: SHIM_URL, format: 'module', shortCircuit: true }
  return nextResolve(specifier, context)
}
