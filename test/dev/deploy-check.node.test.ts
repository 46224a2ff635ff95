/**
 * `npm run deploy` refuses what cannot work once deployed or must not ship, each refusal with
 * its fix, all at once (scripts/dev/deploy-check.ts); the real entry refuses the committed
 * wrangler.toml without ever starting `wrangler deploy` (scripts/dev/guard-deploy.ts).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkDeploy, type DeployConfig, type DeployInputs, deployReport, targetFlags } from '../../scripts/dev/deploy-check.ts'
import { DEMO_CONNECTOR_DIR, DEVELOPMENT_SECRETS } from '../../scripts/dev/development-defaults.ts'

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))
const KV_ID = '0123456789abcdef0123456789abcdef'
const DURABLE_OBJECTS = ['CONNECTIONS', 'AUTHORIZATION_STATE_GUARDS', 'TENANT_DIRECTORIES']
const REAL_KEY = Buffer.alloc(32, 7).toString('base64')

/** A deployable configuration, as the entry would read it from a finished wrangler.toml. */
const configured: DeployConfig = {
  path: 'wrangler.toml',
  text: `name = "latchkey"\n[[kv_namespaces]]\nbinding = "PENDING_AUTHORIZATIONS"\nid = "${KV_ID}"\n`,
  environment: undefined,
  workerName: 'latchkey',
  vars: {
    PUBLIC_BASE_URL: 'https://latchkey.example.workers.dev',
    ALLOWED_RETURN_ORIGINS: 'https://app.example.com',
    ALLOW_INSECURE_LOOPBACK: 'false',
    CREDENTIALS_KEY_ID: '',
  },
  kvNamespaces: [{ binding: 'PENDING_AUTHORIZATIONS', id: KV_ID }],
  durableObjects: DURABLE_OBJECTS,
  requiredSecrets: ['CONNECT_TOKEN_SECRET', 'CREDENTIALS_KEYS'],
  topLevelBindings: { kvNamespaces: ['PENDING_AUTHORIZATIONS'], durableObjects: DURABLE_OBJECTS },
}

const files: Record<string, string> = {
  'prod.env': 'CONNECT_TOKEN_SECRET=a-real-secret-of-at-least-32-bytes-0123\n',
  'dev.env': `CONNECT_TOKEN_SECRET=${DEVELOPMENT_SECRETS.CONNECT_TOKEN_SECRET}\n`,
  'dev-secrets.json': JSON.stringify(DEVELOPMENT_SECRETS),
  'secrets.json': JSON.stringify({ CONNECT_TOKEN_SECRET: 'a-real-secret-of-at-least-32-bytes-0123', CREDENTIALS_KEYS: JSON.stringify({ k1: REAL_KEY }) }),
  'short.env': 'CONNECT_TOKEN_SECRET=too-short\n',
  'bad-keys.json': JSON.stringify({ CREDENTIALS_KEYS: JSON.stringify({ k1: 'c2hvcnQ=' }) }),
  'two-keys.json': JSON.stringify({ CREDENTIALS_KEYS: JSON.stringify({ k1: REAL_KEY, k2: REAL_KEY }) }),
}

function inputs(overrides: Partial<DeployInputs> = {}, config: Partial<DeployConfig> = {}): DeployInputs {
  return {
    config: { ...configured, ...config },
    args: [],
    readFile: (file) => {
      const text = files[file]
      if (text === undefined) throw new Error(`ENOENT: ${file}`)
      return text
    },
    connectorDirs: undefined,
    demoConnectorDir: DEMO_CONNECTOR_DIR,
    deployedSecrets: { known: true, names: ['CONNECT_TOKEN_SECRET', 'CREDENTIALS_KEYS'] },
    ...overrides,
  }
}

const withVars = (vars: Record<string, unknown>): Partial<DeployConfig> => ({ vars: { ...configured.vars, ...vars } })
const inProduction: Partial<DeployConfig> = { environment: 'production', workerName: 'latchkey-production' }

describe('the deploy guard', () => {
  it('lets a configured deploy through: no refusal, no warning, secrets checked', () => {
    expect(checkDeploy(inputs())).toEqual({ refusals: [], warnings: [], secretsUnchecked: null })
  })

  it('lets real values passed along through: --var, --secrets-file, --env-file, the shipped connectors', () => {
    const check = checkDeploy(inputs({ args: ['--var', 'GITHUB__CLIENT_ID:abc', '--secrets-file', 'secrets.json', '--env-file=prod.env'], connectorDirs: 'connectors' }))
    expect(check.refusals).toEqual([])
  })

  it('takes PUBLIC_BASE_URL from a --var over wrangler.toml, as wrangler uploads it', () => {
    const check = checkDeploy(inputs({ args: ['--var', 'PUBLIC_BASE_URL:https://connect.example.com'] }, withVars({ PUBLIC_BASE_URL: 'http://localhost:8787' })))
    expect(check.refusals).toEqual([])
  })

  it('reads --secretsFile as wrangler does (yargs camel case): its development default is refused', () => {
    const check = checkDeploy(inputs({ args: ['--secretsFile', 'dev-secrets.json'] }))
    expect(check.refusals.map((refusal) => refusal.problem)).toContainEqual(expect.stringMatching(/^--secrets-file dev-secrets\.json contains a development default/))
  })

  it('counts the secrets a --secrets-file uploads, on a Worker that has none yet', () => {
    const check = checkDeploy(inputs({ args: ['--secrets-file', 'secrets.json'], deployedSecrets: { known: true, names: [] } }))
    expect(check.refusals).toEqual([])
  })

  it.each<[string, Partial<DeployInputs>, Partial<DeployConfig>, RegExp, RegExp]>([
    [
      'the all-zero KV namespace id',
      {},
      { kvNamespaces: [{ binding: 'PENDING_AUTHORIZATIONS', id: '00000000000000000000000000000000' }] },
      /^The KV namespace PENDING_AUTHORIZATIONS has the placeholder id "0{32}"/,
      /`npx wrangler kv namespace create PENDING_AUTHORIZATIONS` and put its id in \[\[kv_namespaces\]\] of wrangler\.toml/,
    ],
    [
      'an empty KV namespace id',
      {},
      { kvNamespaces: [{ binding: 'PENDING_AUTHORIZATIONS', id: '' }] },
      /^The KV namespace PENDING_AUTHORIZATIONS has no id/,
      /`npx wrangler kv namespace create PENDING_AUTHORIZATIONS`/,
    ],
    [
      'the all-zero KV namespace id of an --env',
      { args: ['--env', 'production'] },
      { ...inProduction, kvNamespaces: [{ binding: 'PENDING_AUTHORIZATIONS', id: '0' }] },
      /placeholder id/,
      /`npx wrangler kv namespace create PENDING_AUTHORIZATIONS --env production` and put its id in \[\[env\.production\.kv_namespaces\]\]/,
    ],
    [
      'an --env without the KV binding (not inherited)',
      { args: ['-e', 'production'] },
      { ...inProduction, kvNamespaces: [] },
      /^wrangler\.toml binds no KV namespace as PENDING_AUTHORIZATIONS for --env production/,
      /`npx wrangler kv namespace create PENDING_AUTHORIZATIONS --env production`/,
    ],
    [
      'an --env without a Durable Object binding (not inherited)',
      { args: ['--env=production'] },
      { ...inProduction, durableObjects: ['CONNECTIONS', 'TENANT_DIRECTORIES'] },
      /^wrangler\.toml binds no Durable Object as AUTHORIZATION_STATE_GUARDS for --env production/,
      /\[\[env\.production\.durable_objects\.bindings\]\]/,
    ],
    [
      'PUBLIC_BASE_URL http://localhost:8787 (the committed default)',
      {},
      withVars({ PUBLIC_BASE_URL: 'http://localhost:8787' }),
      /^PUBLIC_BASE_URL "http:\/\/localhost:8787" is not https/,
      /set PUBLIC_BASE_URL in \[vars\] of wrangler\.toml to this Worker's https origin, e\.g\. `https:\/\/latchkey\.<your-subdomain>\.workers\.dev`/,
    ],
    ['a PUBLIC_BASE_URL on plain http', {}, withVars({ PUBLIC_BASE_URL: 'http://latchkey.example.com' }), /is not https/, /https origin/],
    ['a PUBLIC_BASE_URL on localhost, even https', {}, withVars({ PUBLIC_BASE_URL: 'https://localhost:8787' }), /is a loopback host/, /https origin/],
    ['a PUBLIC_BASE_URL on 127.0.0.1', {}, withVars({ PUBLIC_BASE_URL: 'https://127.0.0.1' }), /is a loopback host/, /https origin/],
    ['a PUBLIC_BASE_URL with a path', {}, withVars({ PUBLIC_BASE_URL: 'https://example.com/latchkey' }), /is not an origin/, /https origin/],
    ['an unset PUBLIC_BASE_URL', {}, withVars({ PUBLIC_BASE_URL: '' }), /^PUBLIC_BASE_URL is not set/, /https origin/],
    ['a PUBLIC_BASE_URL --var on localhost', { args: ['--var', 'PUBLIC_BASE_URL:http://localhost:8787'] }, {}, /is not https/, /https origin/],
    [
      'the PUBLIC_BASE_URL of an --env, in its own [vars]',
      { args: ['--env', 'production'] },
      { ...inProduction, vars: { ...configured.vars, PUBLIC_BASE_URL: 'http://localhost:8787' } },
      /is not https/,
      /\[env\.production\.vars\] of wrangler\.toml .*`https:\/\/latchkey-production\.<your-subdomain>\.workers\.dev`/,
    ],
    [
      'an ALLOWED_RETURN_ORIGINS entry that is not an origin',
      {},
      withVars({ ALLOWED_RETURN_ORIGINS: 'https://app.example.com, https://app.example.com/return' }),
      /^ALLOWED_RETURN_ORIGINS entry "https:\/\/app\.example\.com\/return" is not an origin/,
      /scheme:\/\/host\[:port\]/,
    ],
    [
      'a development default in wrangler.toml',
      {},
      { text: `${configured.text}\n[vars]\nCONNECT_TOKEN_SECRET_NOTE = "${DEVELOPMENT_SECRETS.CONNECT_TOKEN_SECRET}"\n` },
      /^wrangler\.toml contains a development default/,
      /replace it in wrangler\.toml with a real value; secrets go in with `npx wrangler secret put <NAME>`/,
    ],
    [
      'a development default in a --var',
      { args: ['--var', `DEMO__CLIENT_SECRET:${DEVELOPMENT_SECRETS.CONNECT_TOKEN_SECRET}`] },
      {},
      /^--var DEMO__CLIENT_SECRET contains a development default/,
      /pass a real value/,
    ],
    [
      'a development default in a --var=',
      { args: [`--var=GITHUB__CLIENT_SECRET:${DEVELOPMENT_SECRETS.CONNECT_TOKEN_SECRET}`] },
      {},
      /^--var GITHUB__CLIENT_SECRET contains/,
      /pass a real value/,
    ],
    [
      'a development default in a --secrets-file',
      { args: ['--secrets-file', 'dev-secrets.json'] },
      {},
      /^--secrets-file dev-secrets\.json contains/,
      /replace it in dev-secrets\.json/,
    ],
    ['a development default in an --env-file', { args: ['--env-file=dev.env'] }, {}, /^--env-file dev\.env contains/, /replace it in dev\.env/],
    [
      'the demo connector folder',
      { connectorDirs: `connectors, ${DEMO_CONNECTOR_DIR}/` },
      {},
      /^LATCHKEY_CONNECTOR_DIRS includes examples\/demo\/connectors/,
      /without LATCHKEY_CONNECTOR_DIRS/,
    ],
    [
      'a missing CONNECT_TOKEN_SECRET',
      { deployedSecrets: { known: true, names: ['CREDENTIALS_KEYS'] } },
      {},
      /^The secret CONNECT_TOKEN_SECRET is not set on the Worker latchkey\.$/,
      /^run `node -e ".*randomBytes\(32\).*" \| npx wrangler secret put CONNECT_TOKEN_SECRET`\.$/,
    ],
    [
      'a missing CREDENTIALS_KEYS, generated under the CREDENTIALS_KEY_ID',
      { deployedSecrets: { known: true, names: ['CONNECT_TOKEN_SECRET'] } },
      withVars({ CREDENTIALS_KEY_ID: 'k2026' }),
      /^The secret CREDENTIALS_KEYS is not set/,
      /^run `node -e ".*'k2026': .*randomBytes\(32\).*" \| npx wrangler secret put CREDENTIALS_KEYS`\.$/,
    ],
    [
      'a missing secret of an --env, with --env in its fix',
      { args: ['--env', 'production'], deployedSecrets: { known: true, names: ['CREDENTIALS_KEYS'] } },
      inProduction,
      /not set on the Worker latchkey-production/,
      /npx wrangler secret put CONNECT_TOKEN_SECRET --env production`/,
    ],
    [
      'a missing secret that [secrets] required adds',
      {},
      { requiredSecrets: ['CONNECT_TOKEN_SECRET', 'CREDENTIALS_KEYS', 'USER_VERIFY_SECRET'] },
      /^The secret USER_VERIFY_SECRET is not set/,
      /^run `npx wrangler secret put USER_VERIFY_SECRET`\.$/,
    ],
    [
      'Latchkey secrets even when [secrets] required leaves them out (an --env does not inherit it)',
      { deployedSecrets: { known: true, names: ['CONNECT_TOKEN_SECRET'] } },
      { requiredSecrets: [] },
      /^The secret CREDENTIALS_KEYS is not set/,
      /npx wrangler secret put CREDENTIALS_KEYS`/,
    ],
    [
      'a secret written as a plain var',
      {},
      withVars({ CONNECT_TOKEN_SECRET: 'a-real-secret-of-at-least-32-bytes-0123' }),
      /^CONNECT_TOKEN_SECRET is a plain var/,
      /remove it from the vars and run `.*npx wrangler secret put CONNECT_TOKEN_SECRET`/,
    ],
    [
      'a --secrets-file with a short CONNECT_TOKEN_SECRET',
      { args: ['--secrets-file', 'short.env'] },
      {},
      /^CONNECT_TOKEN_SECRET in short\.env is shorter than 32 bytes/,
      /^replace it with the output of `node -e/,
    ],
    [
      'a --secrets-file whose CREDENTIALS_KEYS holds no 32-byte key',
      { args: ['--secrets-file', 'bad-keys.json'] },
      {},
      /^CREDENTIALS_KEYS in bad-keys\.json is not a JSON object of key ids to base64 encodings of 32 bytes/,
      /^replace it with the output of `node -e/,
    ],
    [
      'a CREDENTIALS_KEY_ID that names no key of the --secrets-file',
      { args: ['--secrets-file', 'secrets.json'] },
      withVars({ CREDENTIALS_KEY_ID: 'k9' }),
      /^CREDENTIALS_KEY_ID names "k9", which is not a key id in the CREDENTIALS_KEYS of secrets\.json \("k1"\)/,
      /set CREDENTIALS_KEY_ID/,
    ],
    [
      'several keys in the --secrets-file and no CREDENTIALS_KEY_ID',
      { args: ['--secrets-file', 'two-keys.json'] },
      {},
      /holds 2 keys and CREDENTIALS_KEY_ID is not set/,
      /set CREDENTIALS_KEY_ID/,
    ],
    ['an unreadable --secrets-file', { args: ['--secrets-file', 'missing.json'] }, {}, /^--secrets-file missing\.json cannot be read/, /check the path/],
  ])('refuses %s, saying how to fix it', (_what, overrides, config, problem, fix) => {
    const { refusals } = checkDeploy(inputs(overrides, config))
    expect(refusals).toHaveLength(1)
    expect(refusals[0]?.problem).toMatch(problem)
    expect(refusals[0]?.fix).toMatch(fix)
  })

  it.each<[string, Partial<DeployInputs>, Partial<DeployConfig>]>([
    ['in wrangler.toml', {}, withVars({ ALLOW_INSECURE_LOOPBACK: 'true' })],
    ['as a --var', { args: ['--var', 'ALLOW_INSECURE_LOOPBACK:true'] }, {}],
  ])('S10 refuses ALLOW_INSECURE_LOOPBACK "true" %s: http endpoints on loopback are for local demos and tests', (_where, overrides, config) => {
    const { refusals } = checkDeploy(inputs(overrides, config))
    expect(refusals).toEqual([
      {
        problem: expect.stringMatching(/^ALLOW_INSECURE_LOOPBACK is "true"/),
        fix: expect.stringMatching(/^set ALLOW_INSECURE_LOOPBACK = "false" in \[vars\] of wrangler\.toml/),
      },
    ])
  })

  it('refuses every required secret of a Worker that does not exist yet', () => {
    const { refusals } = checkDeploy(inputs({ deployedSecrets: { known: true, names: [] } }))
    expect(refusals.map(({ fix }) => fix)).toEqual([expect.stringContaining('secret put CONNECT_TOKEN_SECRET'), expect.stringContaining('secret put CREDENTIALS_KEYS')])
  })

  it('never quotes a secret value from a --secrets-file', () => {
    const secret = 'short-secret-value'
    const check = checkDeploy(inputs({ args: ['--secrets-file', 'short.env'], readFile: () => `CONNECT_TOKEN_SECRET=${secret}\nCREDENTIALS_KEYS=${secret}\n` }))
    expect(check.refusals).toHaveLength(2)
    expect(JSON.stringify(check)).not.toContain(secret)
  })

  it('says in one line that secrets went unchecked when wrangler cannot tell, without refusing for it', () => {
    const check = checkDeploy(inputs({ deployedSecrets: { known: false, reason: 'You are not authenticated.' } }))
    expect(check.refusals).toEqual([])
    expect(check.secretsUnchecked).toBe('Could not check secrets: You are not authenticated; run `npx wrangler login` (in CI: set CLOUDFLARE_API_TOKEN) to have them checked.')
  })

  it('warns about, and lets through, a loopback return origin (a staging Worker used by a local app)', () => {
    const check = checkDeploy(inputs({}, withVars({ ALLOWED_RETURN_ORIGINS: 'https://app.example.com,http://localhost:5173' })))
    expect(check.refusals).toEqual([])
    expect(check.warnings).toEqual([expect.stringMatching(/^ALLOWED_RETURN_ORIGINS allows http:\/\/localhost:5173, a loopback origin/)])
  })

  it('lists every problem at once, numbered, each with its fix', () => {
    const check = checkDeploy(
      inputs(
        { deployedSecrets: { known: false, reason: 'offline' } },
        {
          kvNamespaces: [{ binding: 'PENDING_AUTHORIZATIONS', id: '00000000000000000000000000000000' }],
          ...withVars({ PUBLIC_BASE_URL: 'http://localhost:8787', ALLOW_INSECURE_LOOPBACK: 'true' }),
        },
      ),
    )
    const report = deployReport(check).split('\n')
    expect(report[0]).toBe('Refusing to deploy. Fix these first:')
    expect(report.filter((line) => /^ {2}\d\. /.test(line))).toEqual([
      expect.stringMatching(/^ {2}1\. The KV namespace PENDING_AUTHORIZATIONS/),
      expect.stringMatching(/^ {2}2\. PUBLIC_BASE_URL/),
      expect.stringMatching(/^ {2}3\. ALLOW_INSECURE_LOOPBACK/),
    ])
    expect(report.filter((line) => line.startsWith('     Fix: '))).toHaveLength(3)
    expect(report.at(-1)).toMatch(/^Could not check secrets: offline; run `npx wrangler login`/)
  })

  it('prints nothing for a deploy with nothing to say', () => {
    expect(deployReport(checkDeploy(inputs()))).toBe('')
  })

  it('passes the options that pick the Worker on to wrangler, normalized', () => {
    expect(targetFlags(['--minify', '-e', 'production', '--config=deploy/wrangler.toml', '--name', 'lk', '--env-file', 'a.env', 'b.env', '--dry-run', '--var', 'X:1'])).toEqual([
      '--config',
      'deploy/wrangler.toml',
      '--env',
      'production',
      '--name',
      'lk',
      '--env-file',
      'a.env',
      '--env-file',
      'b.env',
    ])
  })
})

describe('npm run deploy on the committed wrangler.toml', () => {
  it('exits 1 listing the KV id and PUBLIC_BASE_URL problems, and never starts wrangler deploy', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'latchkey-deploy-guard-'))
    try {
      // No Cloudflare login anywhere wrangler looks (environment, a scratch home, an empty
      // --env-file instead of the project's .env), and no metrics: `wrangler secret list` fails
      // at once without touching the network, so the secrets go unchecked.
      const emptyEnvFile = path.join(scratch, 'empty.env')
      await writeFile(emptyEnvFile, '')
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: scratch, XDG_CONFIG_HOME: path.join(scratch, 'config'), WRANGLER_SEND_METRICS: 'false' }
      for (const name of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_API_KEY', 'CLOUDFLARE_EMAIL', 'CLOUDFLARE_ACCOUNT_ID', 'LATCHKEY_CONNECTOR_DIRS']) delete env[name]
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev/guard-deploy.ts', '--env-file', emptyEnvFile], {
        cwd: ROOT_DIR,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
      })
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString()
      })
      const [code] = await once(child, 'close')
      expect(code).toBe(1)
      expect(output).toContain('Refusing to deploy. Fix these first:')
      expect(output).toMatch(/^ {2}\d\. The KV namespace PENDING_AUTHORIZATIONS has the placeholder id "0{32}" in wrangler\.toml/m)
      expect(output).toContain('`npx wrangler kv namespace create PENDING_AUTHORIZATIONS')
      expect(output).toMatch(/^ {2}\d\. PUBLIC_BASE_URL "http:\/\/localhost:8787" is not https/m)
      expect(output).toMatch(/^Could not check secrets: .+; run `npx wrangler login`/m)
      // wrangler deploy's [build] step would have announced itself.
      expect(output).not.toContain('Running custom build')
    } finally {
      await rm(scratch, { recursive: true, force: true })
    }
  }, 120_000)
})
