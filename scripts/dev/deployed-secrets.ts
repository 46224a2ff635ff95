/**
 * Which secrets the Worker a deploy replaces already has, as `wrangler secret list` tells
 * (names only: Cloudflare never returns a secret's value). Only a logged-in wrangler can say,
 * so the answer may be "cannot tell" with the reason; the deploy guard then checks everything
 * else and says in one line that secrets went unchecked (scripts/dev/guard-deploy.ts).
 */

/** What one wrangler run printed, as `spawnSync` reports it. */
export interface WranglerResult {
  /** Exit status; null when the process did not exit by itself (killed, timed out). */
  status: number | null
  stdout: string
  stderr: string
  /** Set when the process could not be started or was stopped (spawnSync's `error`). */
  error?: Error | undefined
}

/** Runs wrangler with `args`; injectable so tests never reach Cloudflare. */
export type RunWrangler = (args: string[]) => WranglerResult

/** The deployed Worker's secret names, or why they could not be listed. */
export type DeployedSecrets = { known: true; names: string[] } | { known: false; reason: string }

/**
 * Lists the secrets of the Worker that `wrangler deploy <targetFlags>` would replace (the same
 * `--config`, `--env`, `--name`, `--env-file`), with `run`.
 */
export function listDeployedSecrets(run: RunWrangler, targetFlags: string[]): DeployedSecrets {
  return deployedSecretsFrom(run(['secret', 'list', '--format', 'json', ...targetFlags]))
}

// wrangler's only signal that the Worker does not exist yet (its error 10007/10090 as text).
const WORKER_NOT_FOUND = /Worker "[^"]+"(?: \(env: [^)]+\))? not found\./

/**
 * Reads what `wrangler secret list --format json` printed: a JSON array of `{ name, type }` on
 * success. A Worker that does not exist yet has no secrets at all (a first deploy). Anything
 * else (not logged in, offline, several accounts) means the secrets cannot be told.
 */
export function deployedSecretsFrom(result: WranglerResult): DeployedSecrets {
  if (result.error !== undefined) return { known: false, reason: `wrangler did not run (${result.error.message})` }
  const stderr = withoutColors(result.stderr)
  if (result.status === 0) {
    const names = secretNames(result.stdout)
    return names === null ? { known: false, reason: 'wrangler secret list printed something other than a JSON list of secrets' } : { known: true, names }
  }
  if (WORKER_NOT_FOUND.test(stderr)) return { known: true, names: [] }
  return { known: false, reason: errorReason(stderr) ?? `wrangler secret list exited with status ${result.status ?? 'none'}` }
}

/** The `name` of each entry of the JSON list, or null when the text is not such a list. */
function secretNames(stdout: string): string[] | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(stdout)
  } catch {
    return null
  }
  if (!Array.isArray(parsed)) return null
  const names: string[] = []
  for (const entry of parsed) {
    const name: unknown = typeof entry === 'object' && entry !== null ? (entry as { name?: unknown }).name : undefined
    if (typeof name !== 'string' || name === '') return null
    names.push(name)
  }
  return names
}

/** The first sentence of wrangler's `[ERROR]` line: what went wrong, without its advice and links. */
function errorReason(stderr: string): string | null {
  const line = stderr.split('\n').find((text) => text.includes('[ERROR]'))
  if (line === undefined) return null
  const message = line.slice(line.indexOf('[ERROR]') + '[ERROR]'.length).trim()
  const sentence = /^.*?[.!?](?=\s|$)/.exec(message)?.[0] ?? message
  return sentence.length > 200 ? `${sentence.slice(0, 199)}…` : sentence
}

/** `text` without terminal color codes. */
function withoutColors(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC.
  return text.replace(/\u001b\[[0-9;]*m/g, '')
}
