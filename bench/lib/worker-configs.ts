/**
 * Wrangler configurations of the bench Workers, written as JSON into a scratch folder with
 * absolute paths. The Latchkey Worker's is the repository's wrangler.toml as it is, except:
 * no [build] command (the bench compiles connectors itself, into its own folder), the
 * generated registry aliased to that folder (next to wrangler.toml's own aliases, made
 * absolute), and bench-only settings for vars and secrets.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { REPO_ROOT } from './paths.ts'

/** Names of the bench-only Workers (the Latchkey Worker keeps its name from wrangler.toml). */
const WORKER_NAMES = { harness: 'latchkey-bench-harness', floor: 'latchkey-bench-floor', baseline: 'latchkey-bench-baseline' } as const

/**
 * Bench-only values of the secrets wrangler.toml requires, for `.dev.vars` (wrangler dev loads
 * only the declared secrets from it). TEST VALUES: never deploy them. The key is the 32 bytes
 * of "bench-only-credentials-key-0000!" in base64.
 */
export const BENCH_SECRETS = {
  CONNECT_TOKEN_SECRET: 'bench-only-connect-token-secret-do-not-deploy-0123456789',
  CREDENTIALS_KEYS: JSON.stringify({ 'bench-2026': Buffer.from('bench-only-credentials-key-0000!').toString('base64') }),
}

/**
 * The bench's HTTP API key (row 10), bench-only like BENCH_SECRETS: `lk_<id>_<secret>`. The
 * Latchkey Worker gets its entry in API_KEYS (SHA-256 of the secret, lowercase hex: the rule of
 * src/http-api/api-keys.ts), the harness the key to send.
 */
const BENCH_API_KEY_ID = 'benchhttp01'
const BENCH_API_KEY_SECRET = 'bench-only-http-api-key-do-not-deploy-00000000'
export const BENCH_API_KEY = `lk_${BENCH_API_KEY_ID}_${BENCH_API_KEY_SECRET}`
export const BENCH_API_KEYS = JSON.stringify({
  [BENCH_API_KEY_ID]: { hash: createHash('sha256').update(BENCH_API_KEY_SECRET, 'utf8').digest('hex'), scopes: ['tokens:read'], name: 'npm run bench' },
})
/** Calls per minute the bench key may make: the limiter stays on the path, but never refuses a bench call. */
const BENCH_RATE_LIMIT = 1_000_000_000

/** Where the connect flow returns to (must be on ALLOWED_RETURN_ORIGINS). */
export const BENCH_RETURN_ORIGIN = 'http://localhost:5173'

/** Settings the Latchkey bench config needs. */
export interface LatchkeyConfigOptions {
  /** Folder of the compiled registry (registry.json, methods.ts). */
  generatedDir: string
  /** Origin the Worker is reached at (PUBLIC_BASE_URL). */
  publicBaseUrl: string
  upstreamOrigin: string
  /** Run this prebuilt bundle as it is (`wrangler deploy --dry-run --outdir` output) instead of src/index.ts. */
  prebuiltMain?: string
}

/** Writes `<dir>/wrangler.json` (and `.dev.vars` with the secrets) for the Latchkey Worker; returns the config path. */
export function writeLatchkeyConfig(dir: string, options: LatchkeyConfigOptions): string {
  const { build: _build, ...repositoryConfig } = repositoryConfigFile()
  const required = (repositoryConfig['secrets'] as { required?: string[] } | undefined)?.required ?? []
  const missing = required.filter((name) => !Object.hasOwn(BENCH_SECRETS, name))
  if (missing.length > 0) throw new Error(`wrangler.toml requires the secret(s) ${missing.join(', ')}: add bench-only values to BENCH_SECRETS in bench/lib/worker-configs.ts`)
  const config = {
    ...repositoryConfig,
    main: options.prebuiltMain ?? path.join(REPO_ROOT, 'src/index.ts'),
    ...(options.prebuiltMain ? { no_bundle: true } : {}),
    // The HTTP API's per-key limiter (600 a minute in wrangler.toml) would refuse row 10's calls.
    ratelimits: ((repositoryConfig['ratelimits'] as Array<{ simple?: object }> | undefined) ?? []).map((limiter) => ({
      ...limiter,
      simple: { ...limiter.simple, limit: BENCH_RATE_LIMIT },
    })),
    alias: {
      // wrangler.toml's own aliases (the connector SDK and helpers generated connector code imports), made absolute.
      ...Object.fromEntries(
        Object.entries((repositoryConfig['alias'] as Record<string, string> | undefined) ?? {}).map(([name, target]) => [name, path.resolve(REPO_ROOT, target)]),
      ),
      './generated/registry.json': path.join(options.generatedDir, 'registry.json'),
      './generated/methods.ts': path.join(options.generatedDir, 'methods.ts'),
    },
    vars: {
      ...(repositoryConfig['vars'] as Record<string, unknown> | undefined),
      PUBLIC_BASE_URL: options.publicBaseUrl,
      ALLOWED_RETURN_ORIGINS: BENCH_RETURN_ORIGIN,
      ALLOW_INSECURE_LOOPBACK: 'true',
      // Test values, like BENCH_SECRETS.
      CREDENTIALS_KEY_ID: 'bench-2026',
      BENCH_OAUTH__UPSTREAM_ORIGIN: options.upstreamOrigin,
      BENCH_OAUTH__CLIENT_ID: 'bench-client',
      BENCH_OAUTH__CLIENT_SECRET: 'bench-only-client-secret',
      // The HTTP API on, with the bench key (row 10).
      API_KEYS: BENCH_API_KEYS,
    },
  }
  return writeConfig(dir, config, BENCH_SECRETS)
}

/** Writes the harness Worker's config (bench/workers/harness). */
export function writeHarnessConfig(dir: string, compatibilityDate: string, upstreamOrigin: string): string {
  const latchkey = String(repositoryConfigFile()['name'])
  return writeConfig(dir, {
    name: WORKER_NAMES.harness,
    main: path.join(REPO_ROOT, 'bench/workers/harness/index.ts'),
    compatibility_date: compatibilityDate,
    durable_objects: {
      bindings: [
        { name: 'FLOOR', class_name: 'FloorObject', script_name: WORKER_NAMES.floor },
        { name: 'CONNECTIONS', class_name: 'ConnectionObject', script_name: latchkey },
      ],
    },
    services: [
      { binding: 'LATCHKEY', service: latchkey, entrypoint: 'LatchkeyService' },
      { binding: 'LATCHKEY_HTTP', service: latchkey },
      { binding: 'BASELINE', service: WORKER_NAMES.baseline },
      { binding: 'FLOOR_SERVICE', service: WORKER_NAMES.floor, entrypoint: 'FloorService' },
    ],
    // Row 10 times one limit() of a binding configured as Latchkey's.
    ratelimits: [{ name: 'RATE_LIMITER', namespace_id: '1002', simple: { limit: BENCH_RATE_LIMIT, period: 60 } }],
    vars: { UPSTREAM_ORIGIN: upstreamOrigin, BENCH_API_KEY, BENCH_API_KEYS },
  })
}

/** Writes the floor Worker's config (bench/workers/floor). */
export function writeFloorConfig(dir: string, compatibilityDate: string): string {
  return writeConfig(dir, {
    name: WORKER_NAMES.floor,
    main: path.join(REPO_ROOT, 'bench/workers/floor/index.ts'),
    compatibility_date: compatibilityDate,
    durable_objects: { bindings: [{ name: 'FLOOR', class_name: 'FloorObject' }] },
    migrations: [{ tag: 'v1', new_sqlite_classes: ['FloorObject'] }],
  })
}

/** Writes the baseline Worker's config (bench/workers/baseline). */
export function writeBaselineConfig(dir: string, compatibilityDate: string): string {
  return writeConfig(dir, {
    name: WORKER_NAMES.baseline,
    main: path.join(REPO_ROOT, 'bench/workers/baseline/index.ts'),
    compatibility_date: compatibilityDate,
    kv_namespaces: [{ binding: 'PENDING', id: '11111111111111111111111111111111' }],
  })
}

/** The compatibility date of the repository's wrangler.toml (the bench Workers use the same). */
export function repositoryCompatibilityDate(): string {
  const date = repositoryConfigFile()['compatibility_date']
  if (typeof date !== 'string') throw new Error('wrangler.toml has no compatibility_date')
  return date
}

let repositoryConfig: Record<string, unknown> | null = null

/**
 * The repository's wrangler.toml as wrangler parses it (experimental_readRawConfig). Read in a
 * child process: importing wrangler installs SIGINT/SIGTERM handlers that exit at once, which
 * would cut the bench's cleanup short on Ctrl-C.
 */
function repositoryConfigFile(): Record<string, unknown> {
  const script = "import { experimental_readRawConfig } from 'wrangler'; process.stdout.write(JSON.stringify(experimental_readRawConfig({ config: process.argv[1] }).rawConfig))"
  repositoryConfig ??= JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script, path.join(REPO_ROOT, 'wrangler.toml')], { cwd: REPO_ROOT, encoding: 'utf8' }),
  ) as Record<string, unknown>
  return repositoryConfig
}

function writeConfig(dir: string, config: object, secrets?: Record<string, string>): string {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'wrangler.json')
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`)
  // wrangler reads local secrets from .dev.vars next to the config (single quotes: literal values).
  if (secrets)
    writeFileSync(
      path.join(dir, '.dev.vars'),
      Object.entries(secrets)
        .map(([name, value]) => `${name}='${value}'\n`)
        .join(''),
    )
  return file
}
