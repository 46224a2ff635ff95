/**
 * `LATCHKEY_VERBOSE=1`: the switch that brings back everything `npm start` and `npm test` keep
 * quiet by default (wrangler's narration and bindings table, the per-connector build table, the
 * demo server's development-only warnings, the test pool's runtime log of passing tests).
 * Nothing is quiet for good: each of those places checks this first.
 */

/** The environment variable; `1` turns verbose output on. */
export const VERBOSE_VARIABLE = 'LATCHKEY_VERBOSE'

/** Whether `environment` asks for verbose output. */
export function isVerboseOutput(environment: NodeJS.ProcessEnv = process.env): boolean {
  return environment[VERBOSE_VARIABLE] === '1'
}
