/** Types of node20-fs-shim.mjs's own exports (the rest is `node:fs`), for the tests that import it. */
export function globSync(pattern: string, options?: { cwd?: string | URL }): string[]
export function globPatternRegExp(pattern: string): RegExp
