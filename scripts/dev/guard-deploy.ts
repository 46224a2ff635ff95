/**
 * `npm run deploy [-- wrangler deploy options]`: reads the configuration `wrangler deploy`
 * would use (wrangler's own reader, honouring `--config` and `--env`), asks wrangler which
 * secrets the deployed Worker has, and refuses with every problem and its fix
 * (deploy-check.ts); otherwise runs `wrangler deploy` with the same options (its [build] step
 * compiles the connectors). Wrangler runs in the project folder, and so does this check.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkDeploy, type DeployConfig, deployReport, targetFlags } from './deploy-check.ts'
import { listDeployedSecrets, type RunWrangler } from './deployed-secrets.ts'
import { DEMO_CONNECTOR_DIR } from './development-defaults.ts'

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))
const WRANGLER = path.join(ROOT_DIR, 'node_modules/wrangler/bin/wrangler.js')
/** Long enough for a slow login refresh; an offline machine must not hang the deploy. */
const SECRET_LIST_TIMEOUT_MS = 60_000

async function main(): Promise<number> {
  process.chdir(ROOT_DIR)
  const args = process.argv.slice(2)
  let config: DeployConfig
  try {
    config = await readDeployConfig(args)
  } catch (error) {
    console.error(`Refusing to deploy: wrangler cannot read the configuration.\n${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
  const check = checkDeploy({
    config,
    args,
    readFile: (file) => readFileSync(path.resolve(file), 'utf8'),
    connectorDirs: process.env['LATCHKEY_CONNECTOR_DIRS'],
    demoConnectorDir: DEMO_CONNECTOR_DIR,
    deployedSecrets: listDeployedSecrets(runWrangler, targetFlags(args)),
  })
  const report = deployReport(check)
  if (report !== '') console.error(report)
  if (check.refusals.length > 0) return 1
  const wrangler = spawnSync(process.execPath, [WRANGLER, 'deploy', ...args], { stdio: 'inherit' })
  return wrangler.status ?? 1
}

/** Wrangler with its output captured, without colors, never waiting for input that cannot come. */
const runWrangler: RunWrangler = (args) => {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
    timeout: SECRET_LIST_TIMEOUT_MS,
  })
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', error: result.error }
}

/** Runs `read` with CLOUDFLARE_ENV unset, so wrangler resolves the top level, not that environment. */
function topLevelOnly<T>(read: () => T): T {
  const saved = process.env['CLOUDFLARE_ENV']
  delete process.env['CLOUDFLARE_ENV']
  try {
    return read()
  } finally {
    if (saved !== undefined) process.env['CLOUDFLARE_ENV'] = saved
  }
}

/** The configuration for `args`' `--config` and `--env`, as wrangler itself resolves it. */
async function readDeployConfig(args: string[]): Promise<DeployConfig> {
  // Loading wrangler takes seconds; only this entry pays for it, never the pure check's tests.
  const { unstable_readConfig } = await import('wrangler')
  const target = targetFlags(args)
  const flag = (name: string): string | undefined => {
    const index = target.lastIndexOf(name)
    return index < 0 ? undefined : target[index + 1]
  }
  // wrangler takes the environment from CLOUDFLARE_ENV when no --env is given.
  const environment = flag('--env') ?? (process.env['CLOUDFLARE_ENV'] || undefined)
  const read = (env: string | undefined): unknown => unstable_readConfig({ config: flag('--config'), env }, { hideWarnings: true, useRedirectIfAvailable: true })
  const resolved = read(environment)
  const topLevel = environment === undefined ? resolved : topLevelOnly(() => read(undefined))
  const configPath = stringField(resolved, 'configPath')
  if (configPath === undefined) throw new Error(`No wrangler configuration file found in ${ROOT_DIR}.`)
  return {
    path: path.relative(ROOT_DIR, configPath) || configPath,
    text: readFileSync(configPath, 'utf8'),
    environment,
    workerName: flag('--name') ?? stringField(resolved, 'name'),
    vars: recordField(resolved, 'vars'),
    kvNamespaces: kvNamespaces(resolved),
    durableObjects: durableObjectNames(resolved),
    requiredSecrets: stringList(field(field(resolved, 'secrets'), 'required')),
    topLevelBindings: { kvNamespaces: kvNamespaces(topLevel).map(({ binding }) => binding), durableObjects: durableObjectNames(topLevel) },
  }
}

// Wrangler's config type is not exported in a usable form: read the fields this check needs, checking each.

function kvNamespaces(config: unknown): Array<{ binding: string; id: string }> {
  const list = field(config, 'kv_namespaces')
  if (!Array.isArray(list)) return []
  return list.flatMap((entry) => {
    const binding = stringField(entry, 'binding')
    return binding === undefined ? [] : [{ binding, id: stringField(entry, 'id') ?? '' }]
  })
}

function durableObjectNames(config: unknown): string[] {
  const bindings = field(field(config, 'durable_objects'), 'bindings')
  return Array.isArray(bindings) ? bindings.flatMap((binding) => stringField(binding, 'name') ?? []) : []
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined
}

function stringField(value: unknown, name: string): string | undefined {
  const found = field(value, name)
  return typeof found === 'string' ? found : undefined
}

function recordField(value: unknown, name: string): Record<string, unknown> {
  const found = field(value, name)
  return typeof found === 'object' && found !== null && !Array.isArray(found) ? (found as Record<string, unknown>) : {}
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

process.exitCode = await main()
