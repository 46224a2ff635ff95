/**
 * The demo authorization server (`npm start`) and the e2e tests' one run oidc-provider with its
 * in-memory storage on purpose: they are throwaway servers. oidc-provider still warns about it
 * on every start ("a quick start development-only ... is used"), a warning that asks for no
 * action here, so starting one of them goes through `withoutDevelopmentOnlyWarnings`.
 * `LATCHKEY_VERBOSE=1` lets the warnings through.
 */
import { isVerboseOutput } from './verbose-output.ts'

/** How oidc-provider begins each of these warnings (lib/helpers/attention.js; colours may wrap it). */
const DEVELOPMENT_ONLY_WARNING = 'oidc-provider WARNING: a quick start development-only'

/** Runs `start` with oidc-provider's development-only warnings left out of `console.warn`; other warnings pass. */
export async function withoutDevelopmentOnlyWarnings<T>(start: () => Promise<T>): Promise<T> {
  if (isVerboseOutput()) return start()
  const warn = console.warn
  const filtered = (...args: unknown[]): void => {
    if (typeof args[0] === 'string' && args[0].includes(DEVELOPMENT_ONLY_WARNING)) return
    warn(...args)
  }
  console.warn = filtered
  try {
    return await start()
  } finally {
    // Someone who replaced console.warn meanwhile keeps their replacement.
    if (console.warn === filtered) console.warn = warn
  }
}
