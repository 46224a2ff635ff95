/**
 * `npm run deploy` refuses the committed development defaults and the dev-only demo connector
 * (scripts/dev/deploy-check.ts), wherever `wrangler deploy` would pick them up.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { deployProblems, type DeployInputs } from '../../scripts/dev/deploy-check.ts'
import { DEMO_CONNECTOR_DIR, DEVELOPMENT_SECRETS } from '../../scripts/dev/development-defaults.ts'

const wranglerToml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8')
const files: Record<string, string> = {
  'prod.env': 'CONNECT_TOKEN_SECRET=a-real-secret-of-at-least-32-bytes-0123\n',
  'dev.env': `CONNECT_TOKEN_SECRET=${DEVELOPMENT_SECRETS.CONNECT_TOKEN_SECRET}\n`,
  'dev-secrets.json': JSON.stringify(DEVELOPMENT_SECRETS),
}

function inputs(overrides: Partial<DeployInputs>): DeployInputs {
  return {
    wranglerToml,
    args: [],
    readFile: (file) => files[file] ?? '',
    connectorDirs: undefined,
    demoConnectorDir: DEMO_CONNECTOR_DIR,
    ...overrides,
  }
}

describe('the deploy guard', () => {
  it('lets the repository as committed deploy, with real values passed along', () => {
    expect(deployProblems(inputs({ args: ['--var', 'GITHUB__CLIENT_ID:abc', '--secrets-file', 'prod.env'], connectorDirs: 'connectors' }))).toEqual([])
  })

  it.each<[string, Partial<DeployInputs>, RegExp]>([
    ['in wrangler.toml', { wranglerToml: `${wranglerToml}\n[vars]\nCONNECT_TOKEN_SECRET = "${DEVELOPMENT_SECRETS.CONNECT_TOKEN_SECRET}"\n` }, /^wrangler\.toml/],
    ['in a --var', { args: ['--var', `DEMO__CLIENT_SECRET:${DEVELOPMENT_SECRETS.CONNECT_TOKEN_SECRET}`] }, /^--var DEMO__CLIENT_SECRET /],
    ['in a --var=', { args: [`--var=CREDENTIALS_KEYS:${DEVELOPMENT_SECRETS.CREDENTIALS_KEYS}`] }, /^--var CREDENTIALS_KEYS /],
    ['in a --secrets-file', { args: ['--secrets-file', 'dev-secrets.json'] }, /^--secrets-file dev-secrets\.json /],
    ['in an --env-file', { args: ['--env-file=dev.env'] }, /^--env-file dev\.env /],
    ['as the demo connector folder', { connectorDirs: `connectors, ${DEMO_CONNECTOR_DIR}/` }, /^LATCHKEY_CONNECTOR_DIRS includes/],
  ])('refuses a development default %s', (_where, overrides, problem) => {
    const problems = deployProblems(inputs(overrides))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(problem)
  })
})
