/**
 * Which lines of `wrangler dev`'s output `npm start` prints. What wrangler says that asks for no
 * action is left out: the table of bindings, "Using secrets defined in ..." (the secrets are the
 * development defaults npm start passes), "Starting local server...", the `[custom build]` step's
 * "Running:" line and empty lines, the rebuild message naming the trigger file (npm start says
 * what changed instead, rebuild-trigger.ts), the readiness probes' `GET /health 200` request
 * lines, "Ready on" with wrangler's own address (npm start prints the URL to open), and the
 * process dump wrangler adds under a failed `[build]` (the build's diagnostics, printed just
 * before it, and wrangler's stack). Everything else passes: errors and warnings, the Worker's
 * own `latchkey:` lines, the build's summary and diagnostics, other requests. Runs of empty
 * lines collapse into one. `LATCHKEY_VERBOSE=1` (verbose-output.ts) passes every line.
 */
import { stripVTControlCharacters } from 'node:util'
import { REBUILD_TRIGGER_FILE } from './rebuild-trigger.ts'

/** One filter per wrangler process: it follows multi-line blocks (the bindings table, a build failure). */
export interface WranglerOutputFilter {
  /** Whether `line` (as wrangler printed it, colours included) is printed. */
  shows(line: string): boolean
}

const NO_ACTION_LINES: readonly RegExp[] = [
  /^Using secrets defined in /,
  /^⎔ Starting local server\.\.\.$/,
  /^\[custom build\]\s*$/,
  /^\[custom build\] Running: /,
  /^\[wrangler:info\] GET \/health 200 /,
  // Its own address: npm start prints the page URL to open instead.
  /Ready on https?:\/\//,
]
const BINDINGS_TABLE_START = /^Your Worker has access to the following bindings:$/
const BINDINGS_TABLE_ROW = /^(Binding\s+Resource\s+Mode$|env\.\S+\s)/
/** The paragraph wrangler prints after the table (about `[connected]` service bindings). */
const BINDINGS_TABLE_END = /^Service bindings, Durable Object bindings, and Tail consumers connect to /
/**
 * A failed `[build]` step: wrangler dumps the child-process error (the build's output again,
 * then wrangler's own stack and fields) indented under this line, before its own
 * "Running custom build ... failed" error, which is kept.
 */
const BUILD_FAILURE_DUMP = /^✘ \[ERROR\] Error: Command failed with exit code \d+: /

/** A filter for one wrangler dev; with `verbose`, every line passes. */
export function wranglerOutputFilter({ verbose }: { verbose: boolean }): WranglerOutputFilter {
  let inBindingsTable = false
  let inBuildFailureDump = false
  // Start as if an empty line was printed, so output never opens with one.
  let lastShownWasBlank = true
  let lastWasDropped = false
  const decide = (text: string): boolean => {
    if (text.trim() === '') return !lastShownWasBlank && !lastWasDropped
    if (inBuildFailureDump) {
      if (/^\s/.test(text)) return false
      inBuildFailureDump = false
    }
    if (BUILD_FAILURE_DUMP.test(text)) {
      inBuildFailureDump = true
      return false
    }
    if (inBindingsTable) {
      if (BINDINGS_TABLE_ROW.test(text)) return false
      inBindingsTable = false
      if (BINDINGS_TABLE_END.test(text)) return false
    }
    if (BINDINGS_TABLE_START.test(text)) {
      inBindingsTable = true
      return false
    }
    if (text.includes(REBUILD_TRIGGER_FILE)) return false
    return !NO_ACTION_LINES.some((pattern) => pattern.test(text))
  }
  return {
    shows: (line) => {
      if (verbose) return true
      const text = stripVTControlCharacters(line)
      const shown = decide(text)
      // An empty line after a dropped one belonged to what was dropped.
      if (text.trim() !== '') lastWasDropped = !shown
      if (shown) lastShownWasBlank = text.trim() === ''
      return shown
    },
  }
}
