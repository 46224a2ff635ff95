/**
 * What `npm run deploy` refuses (scripts/dev/guard-deploy.ts): any committed development
 * default (src/ui/development-defaults.ts) in what `wrangler deploy` would upload, and the
 * dev-only demo connector in what its [build] step would compile. Pure: the caller reads files.
 */
import { DEVELOPMENT_DEFAULT_MARKER, isDevelopmentDefault } from '../../src/ui/development-defaults.ts'

/** Everything a deploy would take its configuration from. */
export interface DeployInputs {
  /** Text of wrangler.toml (its [vars] are uploaded; no development default belongs anywhere in it). */
  wranglerToml: string
  /** Arguments passed on to `wrangler deploy`. */
  args: string[]
  /** Reads a file an argument names (`--secrets-file`, `--env-file`). */
  readFile: (path: string) => string
  /** LATCHKEY_CONNECTOR_DIRS as the [build] step would see it. */
  connectorDirs: string | undefined
  /** Folder of the dev-only demo connector. */
  demoConnectorDir: string
}

const FILE_FLAGS = new Set(['--secrets-file', '--env-file'])

/** Why the deploy must not run; empty when it may. */
export function deployProblems(inputs: DeployInputs): string[] {
  const problems: string[] = []
  if (isDevelopmentDefault(inputs.wranglerToml)) problems.push(`wrangler.toml contains a development default (${DEVELOPMENT_DEFAULT_MARKER}...).`)
  for (const [flag, value] of flagValues(inputs.args)) {
    if (flag === '--var' && isDevelopmentDefault(value)) problems.push(`--var ${value.split(':')[0]} is a development default.`)
    if (FILE_FLAGS.has(flag) && isDevelopmentDefault(inputs.readFile(value))) problems.push(`${flag} ${value} contains a development default.`)
  }
  const dirs = (inputs.connectorDirs ?? '').split(',').map((dir) => dir.trim().replace(/\/+$/, ''))
  if (dirs.includes(inputs.demoConnectorDir)) problems.push(`LATCHKEY_CONNECTOR_DIRS includes ${inputs.demoConnectorDir}, the dev-only demo connector.`)
  return problems
}

/** `--flag value` and `--flag=value` pairs, in order. */
function flagValues(args: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? ''
    const equals = arg.indexOf('=')
    if (arg.startsWith('--') && equals > 0) pairs.push([arg.slice(0, equals), arg.slice(equals + 1)])
    else if (arg.startsWith('--') && index + 1 < args.length) pairs.push([arg, args[index + 1] ?? ''])
  }
  return pairs
}
