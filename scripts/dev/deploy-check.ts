/**
 * What `npm run deploy` refuses (scripts/dev/guard-deploy.ts): a configuration that cannot
 * work once deployed (the placeholder KV namespace id, a PUBLIC_BASE_URL that is not this
 * Worker's https origin, missing bindings or secrets) or must not ship (the committed
 * development defaults, ALLOW_INSECURE_LOOPBACK, the dev-only demo connector). Every problem
 * comes with the exact command or edit that fixes it, all of them at once. Pure: the entry
 * reads the configuration through wrangler, lists the deployed secrets and reads files.
 */
import { parseEnv } from 'node:util'
import { isLoopbackHost } from '../../src/loopback-host.ts'
import { parseAllowedOrigins } from '../../src/settings.ts'
import { DEVELOPMENT_DEFAULT_MARKER, isDevelopmentDefault } from '../../src/ui/development-defaults.ts'
import type { DeployedSecrets } from './deployed-secrets.ts'

/** The configuration `wrangler deploy` would use: the config file resolved for the chosen `--env`. */
export interface DeployConfig {
  /** Path of the configuration file, as fixes name it. */
  path: string
  /** Its text: no development default belongs anywhere in it. */
  text: string
  /** The `--env` chosen, if any (its vars and bindings are not inherited from the top level). */
  environment: string | undefined
  /** Name of the Worker that would be deployed. */
  workerName: string | undefined
  /** The vars that would be uploaded. */
  vars: Record<string, unknown>
  kvNamespaces: Array<{ binding: string; id: string }>
  /** Names of the Durable Object bindings. */
  durableObjects: string[]
  /** `[secrets] required`. */
  requiredSecrets: string[]
  /** KV and Durable Object binding names of the top level, which every environment needs too. */
  topLevelBindings: { kvNamespaces: string[]; durableObjects: string[] }
}

/** Everything a deploy would take its configuration from. */
export interface DeployInputs {
  config: DeployConfig
  /** Arguments passed on to `wrangler deploy`. */
  args: string[]
  /** Reads a file an argument names (`--secrets-file`, `--env-file`); may throw. */
  readFile: (path: string) => string
  /** LATCHKEY_CONNECTOR_DIRS as the [build] step would see it. */
  connectorDirs: string | undefined
  /** Folder of the dev-only demo connector. */
  demoConnectorDir: string
  /** The secrets the deployed Worker already has, when wrangler could tell. */
  deployedSecrets: DeployedSecrets
}

/** One reason not to deploy, and what to run or edit so it goes away. */
export interface DeployProblem {
  problem: string
  fix: string
}

/** The verdict: deploy only when `refusals` is empty. */
export interface DeployCheck {
  refusals: DeployProblem[]
  /** Worth reading, not worth stopping for. */
  warnings: string[]
  /** Why secrets went unchecked (wrangler could not list them), with what to run; null when they were checked. */
  secretsUnchecked: string | null
}

/** Secrets the Worker cannot run without (settings.ts, credential-encryption.ts), whatever `[secrets] required` says. */
export const LATCHKEY_SECRETS = ['CONNECT_TOKEN_SECRET', 'CREDENTIALS_KEYS'] as const

const MIN_CONNECT_TOKEN_SECRET_BYTES = 32
const AES_KEY_BYTES = 32
/** Wrangler's placeholder and an empty id both mean "not created yet". */
const PLACEHOLDER_NAMESPACE_ID = /^0*$/

/** Checks a deploy; see DeployCheck. */
export function checkDeploy(inputs: DeployInputs): DeployCheck {
  const check: DeployCheck = { refusals: [], warnings: [], secretsUnchecked: null }
  const flags = deployFlags(inputs.args)
  const vars = effectiveVars(inputs.config.vars, flags.get('--var') ?? [])
  const secretsFile = readSecretsFile(inputs, flags.get('--secrets-file')?.at(-1), check)
  const target = targetFlags(inputs.args).join(' ')
  checkDevelopmentDefaults(inputs, flags, check)
  checkBindings(inputs.config, target, check)
  checkPublicBaseUrl(inputs.config, vars, check)
  checkInsecureLoopback(inputs.config, vars, check)
  checkReturnOrigins(inputs.config, vars, check)
  checkSecrets(inputs, vars, secretsFile, target, check)
  return check
}

/**
 * The text `npm run deploy` prints: "Refusing to deploy. Fix these first:" and a numbered list
 * when there are refusals, then the unchecked-secrets line and the warnings.
 */
export function deployReport(check: DeployCheck): string {
  const lines: string[] = []
  if (check.refusals.length > 0) {
    lines.push('Refusing to deploy. Fix these first:')
    check.refusals.forEach(({ problem, fix }, index) => {
      lines.push(`  ${index + 1}. ${problem}`, `     Fix: ${fix}`)
    })
  }
  if (check.secretsUnchecked !== null) lines.push(check.secretsUnchecked)
  for (const warning of check.warnings) lines.push(`Warning: ${warning}`)
  return lines.join('\n')
}

/**
 * The options of `wrangler deploy` that pick which Worker and configuration (`--config`, `--env`,
 * `--name`, `--env-file`), normalized to `--flag value` pairs, for the wrangler commands of the
 * check and of the fixes.
 */
export function targetFlags(args: string[]): string[] {
  const flags = deployFlags(args)
  const target: string[] = []
  for (const flag of ['--config', '--env', '--name']) {
    const value = flags.get(flag)?.at(-1)
    if (value !== undefined) target.push(flag, value)
  }
  for (const file of flags.get('--env-file') ?? []) target.push('--env-file', file)
  return target
}

const SHORT_FLAGS: Record<string, string> = { '-c': '--config', '-e': '--env' }
const VALUE_FLAGS = new Set(['--config', '--env', '--name', '--secrets-file'])
/** yargs array options: several values may follow one flag. */
const ARRAY_FLAGS = new Set(['--var', '--env-file'])

/** The values of the flags this check reads, in order (`--flag value`, `--flag=value`, `-e value`). */
function deployFlags(args: string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>()
  const add = (flag: string, value: string): void => {
    flags.set(flag, [...(flags.get(flag) ?? []), value])
  }
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? ''
    const equals = arg.indexOf('=')
    const written = equals > 0 ? arg.slice(0, equals) : arg
    // yargs reads `--secretsFile` as `--secrets-file`: check what wrangler will use, however spelled.
    const flag = SHORT_FLAGS[written] ?? kebabCaseFlag(written)
    if (!VALUE_FLAGS.has(flag) && !ARRAY_FLAGS.has(flag)) continue
    if (equals > 0) {
      add(flag, arg.slice(equals + 1))
      continue
    }
    while (index + 1 < args.length && !(args[index + 1] ?? '').startsWith('-')) {
      add(flag, args[++index] ?? '')
      if (!ARRAY_FLAGS.has(flag)) break
    }
  }
  return flags
}

/** `--secretsFile` -> `--secrets-file`; other spellings as they are. */
function kebabCaseFlag(flag: string): string {
  return flag.startsWith('--') ? flag.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`) : flag
}

/** The config's vars with each `--var NAME:VALUE` applied over them, as wrangler uploads them. */
function effectiveVars(configVars: Record<string, unknown>, overrides: string[]): Map<string, unknown> {
  const vars = new Map(Object.entries(configVars))
  for (const pair of overrides) {
    const colon = pair.indexOf(':')
    if (colon > 0) vars.set(pair.slice(0, colon), pair.slice(colon + 1))
  }
  return vars
}

/** Where `kind` ([vars], [[kv_namespaces]]...) is written for the chosen environment. */
function section(config: DeployConfig, kind: string, table = false): string {
  const name = config.environment === undefined ? kind : `env.${config.environment}.${kind}`
  return table ? `[[${name}]]` : `[${name}]`
}

function checkDevelopmentDefaults(inputs: DeployInputs, flags: Map<string, string[]>, check: DeployCheck): void {
  const refuse = (where: string, fix: string): void => {
    check.refusals.push({
      problem: `${where} contains a development default (${DEVELOPMENT_DEFAULT_MARKER}...), which is for \`npm start\` only.`,
      fix: `${fix}; secrets go in with \`npx wrangler secret put <NAME>\`.`,
    })
  }
  if (isDevelopmentDefault(inputs.config.text)) refuse(inputs.config.path, `replace it in ${inputs.config.path} with a real value`)
  for (const pair of flags.get('--var') ?? []) {
    if (isDevelopmentDefault(pair)) refuse(`--var ${pair.split(':')[0]}`, 'pass a real value instead')
  }
  for (const flag of ['--secrets-file', '--env-file']) {
    for (const file of flags.get(flag) ?? []) {
      if (isDevelopmentDefault(readOrEmpty(inputs.readFile, file))) refuse(`${flag} ${file}`, `replace it in ${file} with a real value`)
    }
  }
  const dirs = (inputs.connectorDirs ?? '').split(',').map((dir) => dir.trim().replace(/\/+$/, ''))
  if (dirs.includes(inputs.demoConnectorDir)) {
    check.refusals.push({
      problem: `LATCHKEY_CONNECTOR_DIRS includes ${inputs.demoConnectorDir}, the dev-only demo connector.`,
      fix: 'run `npm run deploy` without LATCHKEY_CONNECTOR_DIRS (or list only your connector folders in it).',
    })
  }
}

function checkBindings(config: DeployConfig, target: string, check: DeployCheck): void {
  const forEnvironment = config.environment === undefined ? '' : ` for --env ${config.environment}: environments do not inherit bindings`
  const kvBindings = new Set(config.kvNamespaces.map(({ binding }) => binding))
  for (const binding of config.topLevelBindings.kvNamespaces) {
    if (kvBindings.has(binding)) continue
    check.refusals.push({
      problem: `${config.path} binds no KV namespace as ${binding}${forEnvironment}.`,
      fix: `run \`${command(`npx wrangler kv namespace create ${binding}`, target)}\` and add its id as a ${section(config, 'kv_namespaces', true)} with binding = "${binding}" in ${config.path}.`,
    })
  }
  for (const { binding, id } of config.kvNamespaces) {
    if (!PLACEHOLDER_NAMESPACE_ID.test(id)) continue
    check.refusals.push({
      problem: `The KV namespace ${binding} has ${id === '' ? 'no id' : `the placeholder id "${id}"`} in ${config.path}: it does not exist.`,
      fix: `create it: \`${command(`npx wrangler kv namespace create ${binding}`, target)}\` and put its id in ${section(config, 'kv_namespaces', true)} of ${config.path}.`,
    })
  }
  const objects = new Set(config.durableObjects)
  for (const name of config.topLevelBindings.durableObjects) {
    if (objects.has(name)) continue
    check.refusals.push({
      problem: `${config.path} binds no Durable Object as ${name}${forEnvironment}.`,
      fix: `copy the top-level [[durable_objects.bindings]] of ${name} into ${config.path} as ${section(config, 'durable_objects.bindings', true)}.`,
    })
  }
}

function checkPublicBaseUrl(config: DeployConfig, vars: Map<string, unknown>, check: DeployCheck): void {
  const value = vars.get('PUBLIC_BASE_URL')
  const reason = publicBaseUrlProblem(value)
  if (reason === null) return
  const example = `https://${config.workerName ?? 'latchkey'}.<your-subdomain>.workers.dev`
  check.refusals.push({
    problem: `PUBLIC_BASE_URL ${reason}: the redirect URI every provider sends users back to is PUBLIC_BASE_URL/oauth/callback.`,
    fix: `set PUBLIC_BASE_URL in ${section(config, 'vars')} of ${config.path} to this Worker's https origin, e.g. \`${example}\` (or your custom domain), and register ${example}/oauth/callback at each provider.`,
  })
}

/** Why `value` is not a deployable PUBLIC_BASE_URL, or null when it is one. */
function publicBaseUrlProblem(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return 'is not set'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `"${value}" is not a URL`
  }
  if (url.protocol !== 'https:') return `"${value}" is not https`
  if (isLoopbackHost(url.hostname)) return `"${value}" is a loopback host, which no browser but the deployer's own reaches`
  if (url.origin !== value.replace(/\/$/, '')) return `"${value}" is not an origin (no path, query, user or fragment)`
  return null
}

function checkInsecureLoopback(config: DeployConfig, vars: Map<string, unknown>, check: DeployCheck): void {
  if (vars.get('ALLOW_INSECURE_LOOPBACK') !== 'true') return
  check.refusals.push({
    problem: 'ALLOW_INSECURE_LOOPBACK is "true": http:// endpoints on loopback hosts would be accepted (S10), a setting for local demos and tests only.',
    fix: `set ALLOW_INSECURE_LOOPBACK = "false" in ${section(config, 'vars')} of ${config.path} (and pass no --var ALLOW_INSECURE_LOOPBACK:true).`,
  })
}

function checkReturnOrigins(config: DeployConfig, vars: Map<string, unknown>, check: DeployCheck): void {
  const setting = vars.get('ALLOWED_RETURN_ORIGINS')
  const entries = (typeof setting === 'string' ? setting : '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  const origins = parseAllowedOrigins(entries.join(','))
  for (const entry of entries) {
    const origin = entry.replace(/\/$/, '')
    if (!origins.has(origin)) {
      check.refusals.push({
        problem: `ALLOWED_RETURN_ORIGINS entry "${entry}" is not an origin, so the Worker ignores it and no flow can return there.`,
        fix: `write it as scheme://host[:port] (e.g. https://app.example.com) in ${section(config, 'vars')} of ${config.path}.`,
      })
    } else if (isLoopbackHost(new URL(origin).hostname)) {
      // A loopback origin names the user's own machine, which no attacker serves, and a staging
      // Worker used by a locally run app needs it; it only makes production return URLs fail.
      check.warnings.push(
        `ALLOWED_RETURN_ORIGINS allows ${origin}, a loopback origin (as the development default does): fine for a staging Worker used by a local app; for production set it to your application's https origins in ${section(config, 'vars')} of ${config.path}.`,
      )
    }
  }
}

/** The secrets `--secrets-file` names, by name: wrangler uploads them with the deploy. */
type SecretsFile = { path: string; values: Map<string, string> } | null

function readSecretsFile(inputs: DeployInputs, file: string | undefined, check: DeployCheck): SecretsFile {
  if (file === undefined) return null
  let text: string
  try {
    text = inputs.readFile(file)
  } catch {
    check.refusals.push({ problem: `--secrets-file ${file} cannot be read.`, fix: 'check the path (it is relative to the project folder).' })
    return null
  }
  return { path: file, values: secretValues(text) }
}

/** Secrets from a JSON object or a .env file, the two formats `--secrets-file` takes. */
function secretValues(text: string): Map<string, string> {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = parseEnv(text)
  }
  const values = new Map<string, string>()
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return values
  for (const [name, value] of Object.entries(parsed)) if (typeof value === 'string') values.set(name, value)
  return values
}

function checkSecrets(inputs: DeployInputs, vars: Map<string, unknown>, secretsFile: SecretsFile, target: string, check: DeployCheck): void {
  const { config, deployedSecrets } = inputs
  const required = [...new Set([...LATCHKEY_SECRETS, ...config.requiredSecrets])]
  const configuredKeyId = vars.get('CREDENTIALS_KEY_ID')
  const keyId = typeof configuredKeyId === 'string' ? configuredKeyId : ''
  const orFile = secretsFile === null ? '' : ` (or add it to ${secretsFile.path})`
  for (const name of required) {
    if (!vars.has(name)) continue
    check.refusals.push({
      problem: `${name} is a plain var (${config.path} or --var): vars are readable by anyone who can read the configuration or the dashboard.`,
      fix: `remove it from the vars and run \`${putSecretCommand(name, keyId, target)}\`${orFile}.`,
    })
  }
  if (deployedSecrets.known) {
    const present = new Set([...deployedSecrets.names, ...(secretsFile?.values.keys() ?? [])])
    for (const name of required) {
      if (present.has(name) || vars.has(name)) continue
      check.refusals.push({
        problem: `The secret ${name} is not set on the Worker ${config.workerName ?? '(unnamed)'}.`,
        fix: `run \`${putSecretCommand(name, keyId, target)}\`${orFile}.`,
      })
    }
  } else {
    check.secretsUnchecked = `Could not check secrets: ${deployedSecrets.reason.replace(/\.$/, '')}; run \`npx wrangler login\` (in CI: set CLOUDFLARE_API_TOKEN) to have them checked.`
  }
  if (secretsFile !== null) checkSecretValues(secretsFile, keyId, check)
}

/** The values `--secrets-file` would upload; never quoted, only judged. */
function checkSecretValues(file: NonNullable<SecretsFile>, keyId: string, check: DeployCheck): void {
  const connectTokenSecret = file.values.get('CONNECT_TOKEN_SECRET')
  if (connectTokenSecret !== undefined && new TextEncoder().encode(connectTokenSecret).byteLength < MIN_CONNECT_TOKEN_SECRET_BYTES) {
    check.refusals.push({
      problem: `CONNECT_TOKEN_SECRET in ${file.path} is shorter than ${MIN_CONNECT_TOKEN_SECRET_BYTES} bytes.`,
      fix: `replace it with the output of \`${GENERATE_CONNECT_TOKEN_SECRET}\`.`,
    })
  }
  const credentialsKeys = file.values.get('CREDENTIALS_KEYS')
  if (credentialsKeys === undefined) return
  const kids = credentialKids(credentialsKeys)
  const kid = keyId === '' ? 'k1' : keyId
  if (kids === null) {
    check.refusals.push({
      problem: `CREDENTIALS_KEYS in ${file.path} is not a JSON object of key ids to base64 encodings of ${AES_KEY_BYTES} bytes.`,
      fix: `replace it with the output of \`${generateCredentialsKeys(kid)}\`.`,
    })
  } else if (keyId !== '' && !kids.includes(keyId)) {
    check.refusals.push({
      problem: `CREDENTIALS_KEY_ID names "${keyId}", which is not a key id in the CREDENTIALS_KEYS of ${file.path} (${kids.map((id) => `"${id}"`).join(', ')}).`,
      fix: 'set CREDENTIALS_KEY_ID in the vars to the key id that encrypts new credentials, or add that key to CREDENTIALS_KEYS.',
    })
  } else if (keyId === '' && kids.length > 1) {
    check.refusals.push({
      problem: `CREDENTIALS_KEYS in ${file.path} holds ${kids.length} keys and CREDENTIALS_KEY_ID is not set.`,
      fix: 'set CREDENTIALS_KEY_ID in the vars to the key id that encrypts new credentials.',
    })
  }
}

/** The key ids of a well-formed CREDENTIALS_KEYS value, or null. */
function credentialKids(value: string): string[] | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return null
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null
  const entries = Object.entries(parsed)
  const wellFormed = entries.length > 0 && entries.every(([, key]) => typeof key === 'string' && isBase64Key(key))
  return wellFormed ? entries.map(([kid]) => kid) : null
}

function isBase64Key(value: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').byteLength === AES_KEY_BYTES
}

const GENERATE_CONNECT_TOKEN_SECRET = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`

/** A command printing a fresh CREDENTIALS_KEYS with one key under `kid` (a kid unsafe in a shell line becomes k1). */
function generateCredentialsKeys(kid: string): string {
  const safeKid = /^[A-Za-z0-9._-]+$/.test(kid) ? kid : 'k1'
  return `node -e "console.log(JSON.stringify({ '${safeKid}': require('node:crypto').randomBytes(32).toString('base64') }))"`
}

/** The command that sets secret `name`, generating the value where Latchkey knows its shape. */
function putSecretCommand(name: string, keyId: string, target: string): string {
  const put = command(`npx wrangler secret put ${name}`, target)
  if (name === 'CONNECT_TOKEN_SECRET') return `${GENERATE_CONNECT_TOKEN_SECRET} | ${put}`
  if (name === 'CREDENTIALS_KEYS') return `${generateCredentialsKeys(keyId === '' ? 'k1' : keyId)} | ${put}`
  return put
}

function command(base: string, target: string): string {
  return target === '' ? base : `${base} ${target}`
}

function readOrEmpty(readFile: (path: string) => string, file: string): string {
  try {
    return readFile(file)
  } catch {
    return ''
  }
}
