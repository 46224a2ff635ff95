import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'
import { e2eBindings } from './test/e2e/e2e-configuration.ts'
import { PROVIDER_EMULATORS } from './test/compat/emulator/providers.ts'
import { createOutboundRouter } from './test/compat/outbound.ts'
import { OAUTH1_CONSUMER_KEY, OAUTH1_CONSUMER_SECRET } from './test/setup/oauth1-provider.ts'
import { isVerboseOutput } from './scripts/dev/verbose-output.ts'

/** Worker configuration used by every workerd test. Test-only values: never deploy these. */
export const testBindings = {
  PUBLIC_BASE_URL: 'https://latchkey.test',
  CONNECT_TOKEN_SECRET: 'test-only-connect-token-secret-0123456789abcdef',
  ALLOWED_RETURN_ORIGINS: 'https://app.example.com,http://localhost:5173',
  ALLOW_INSECURE_LOOPBACK: 'true',
  CREDENTIALS_KEY_ID: 'test-2026',
  CREDENTIALS_KEYS: JSON.stringify({
    'test-2026': 'dGVzdC1vbmx5LWtleS1kby1ub3QtZGVwbG95LTAwMDA=',
    'test-2025': 'b2xkLXRlc3Qtb25seS1rZXktZG8tbm90LWRlcGxveTA=',
  }),
  // The HTTP API is on in tests: hashes of the test keys (test/http-api/api-key-fixtures.ts).
  API_KEYS: await import('./test/http-api/api-key-fixtures.ts').then((fixtures) => fixtures.apiKeysBinding()),
}

/** Client secret of the fixture connectors: every character Basic auth must form-urlencode (S9). */
export const FIXTURE_CLIENT_SECRET = 'se:cr&t+ va%lue'

/**
 * Bindings that point at the test upstream (test/setup/upstream-servers.ts): UPSTREAM_ORIGIN
 * for tests, and the parameters of the fixture connectors (test/fixtures/connectors/) and
 * example connectors (connectors/) by the `<KEY>__<PARAM>` naming rule.
 */
function upstreamBindings(upstreamOrigin: string): Record<string, string> {
  const bindings: Record<string, string> = { UPSTREAM_ORIGIN: upstreamOrigin }
  for (const key of [
    'TEST_OAUTH',
    'TEST_OAUTH_CUSTOM',
    'TEST_OAUTH_MAPPED',
    'CONN_CUSTOM_REFRESH',
    'CONN_REFRESH_MAPPED',
    'TEST_API_CLIENT',
    'TEST_REST_API_CLIENT',
    'TEST_API_KEY',
    'TEST_CC_GRANT',
    'TEST_OPTIONS',
    'TEST_ACCOUNT',
    'TEST_ACCOUNT_REST',
  ]) {
    bindings[`${key}__UPSTREAM_ORIGIN`] = upstreamOrigin
    bindings[`${key}__CLIENT_ID`] = 'test-client'
    bindings[`${key}__CLIENT_SECRET`] = FIXTURE_CLIENT_SECRET
  }
  for (const key of ['GITHUB', 'GOOGLE', 'QUICKBOOKS', 'ZENDESK', 'NOTION', 'SALESFORCE']) {
    bindings[`${key}__CLIENT_ID`] = `${key.toLowerCase()}-test-client`
    bindings[`${key}__CLIENT_SECRET`] = `${key.toLowerCase()}-test-secret`
  }
  bindings['GOOGLE__SCOPES'] = '["openid","email"]'
  bindings['QUICKBOOKS__SCOPES'] = '["com.intuit.quickbooks.accounting"]'
  bindings['ZENDESK__SCOPES'] = '["read"]'
  // Connection events go to the upstream's request log (test/events); refresh retries wait
  // milliseconds, not seconds, and a hanging token endpoint times out after 2.5 s, at refresh and
  // at code exchange (test/connection, test/e2e): long enough that a token request slowed by a
  // loaded machine is not retried (tests count token requests exactly).
  bindings['EVENTS_WEBHOOK_URL'] = `${upstreamOrigin}/s/latchkey-events/webhook`
  bindings['EVENTS_WEBHOOK_SECRET'] = 'test-only-events-webhook-secret'
  bindings['REFRESH_RETRY_BASE_DELAY_MS'] = '1'
  bindings['REFRESH_RETRY_MAX_DELAY_MS'] = '20'
  bindings['TOKEN_REQUEST_TIMEOUT_MS'] = '2500'
  // A rate-limited API call waits at most 1 s in all (a longer Retry-After ends the retries).
  bindings['API_RETRY_BASE_DELAY_MS'] = '5'
  bindings['API_RATE_LIMIT_MAX_WAIT_MS'] = '1000'
  return bindings
}

/** The fixture OAuth 1.0a connector test-oauth1, pointed at the test OAuth 1.0a provider (test/setup/oauth1-provider.ts). */
function oauth1Bindings(providerOrigin: string): Record<string, string> {
  return {
    TEST_OAUTH1__PROVIDER_ORIGIN: providerOrigin,
    TEST_OAUTH1__CONSUMER_KEY: OAUTH1_CONSUMER_KEY,
    TEST_OAUTH1__CONSUMER_SECRET: OAUTH1_CONSUMER_SECRET,
  }
}

/** The compat suite's provider emulators behind one outbound router (test/compat/README.md). */
const compatOutbound = createOutboundRouter(PROVIDER_EMULATORS)

/**
 * wrangler.toml's `[alias]` table (packages Membrane connectors import, served by
 * src/connector-sdk/) as vite aliases, matched exactly as wrangler does: the test pool
 * bundles with vite, not wrangler.
 */
function workerAliases(): Array<{ find: RegExp; replacement: string }> {
  const toml = readFileSync(new URL('./wrangler.toml', import.meta.url), 'utf8')
  const table = /^\[alias\]\n((?:(?:"[^"\n]+" = "[^"\n]+"|#[^\n]*)\n)+)/m.exec(toml)?.[1] ?? ''
  return [...table.matchAll(/^"([^"]+)" = "([^"]+)"$/gm)].map(([, name = '', target = '']) => ({
    find: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`),
    replacement: fileURLToPath(new URL(target, import.meta.url)),
  }))
}

/**
 * The test pool reads wrangler.toml for every test file, and wrangler looks for its
 * `[secrets] required` in .dev.vars, .env or the environment, warning when one is missing:
 * they go into this (vitest's) process environment with their `testBindings` values, which is
 * also what the Worker under test is bound to. Its "secrets are experimental" warning asks for
 * no action and is turned off.
 */
function provideRequiredSecretsToWrangler(): void {
  const toml = readFileSync(new URL('./wrangler.toml', import.meta.url), 'utf8')
  const names = /^\[secrets\]\nrequired = \[([^\]\n]*)\]$/m.exec(toml)?.[1]?.match(/[A-Z0-9_]+/g) ?? []
  for (const name of names) {
    const value = (testBindings as Record<string, string>)[name]
    if (value === undefined) throw new Error(`wrangler.toml requires the secret ${name}: give it a test value in testBindings (vitest.config.ts)`)
    process.env[name] = value
  }
  process.env['WRANGLER_DISABLE_EXPERIMENTAL_WARNING'] = '1'
}

provideRequiredSecretsToWrangler()

/**
 * Per-project test settings: no retries (they would hide races), and upper bounds for a busy
 * machine (CI shares it; `npm run test:stress` adds five CPU burners). Tests wait for events,
 * never for time, so a generous bound only decides when a hang counts as a failure.
 */
const PROJECT_DEFAULTS = { retry: 0, testTimeout: 60_000, hookTimeout: 120_000 }

// Two tiers (see README "Tests"): pure modules run in Node (`*.node.test.ts`), everything
// that touches the Worker, KV or Durable Objects runs in workerd through the test pool.
export default defineConfig({
  test: {
    retry: 0,
    // Quiet while green (README "Tests"): dots, then failures and the summary. A failing test's
    // console output is printed with it; so is the Workers pool's own output while its file ran
    // (test/setup/pool-output-reporter.ts). LATCHKEY_VERBOSE=1 prints all output as it comes.
    reporters: ['dot', './test/setup/pool-output-reporter.ts'],
    silent: isVerboseOutput() ? false : 'passed-only',
    projects: [
      {
        // Pure modules import the registry too, and with it the connectors' SDK imports.
        resolve: { alias: workerAliases() },
        test: {
          ...PROJECT_DEFAULTS,
          name: 'node',
          include: ['test/**/*.node.test.ts'],
          environment: 'node',
        },
      },
      {
        plugins: [
          // The upstream origin is known only once test/setup/upstream-servers.ts is listening.
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                ...testBindings,
                ...upstreamBindings(inject('upstreamOrigin')),
                ...oauth1Bindings(inject('oauth1ProviderOrigin')),
                // The e2e authorization server and fault servers (test/setup/authorization-server.ts).
                ...e2eBindings({
                  issuer: inject('authorizationServerIssuer'),
                  upstreamOrigin: inject('upstreamOrigin'),
                  connectionResetOrigin: inject('connectionResetOrigin'),
                }),
                // The lab that starts an MCP server and its authorization server per test (test/setup/mcp-server.ts).
                MCP_LAB_ORIGIN: inject('mcpLabOrigin'),
              },
            },
          })),
        ],
        resolve: { alias: workerAliases() },
        test: {
          ...PROJECT_DEFAULTS,
          name: 'workerd',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.node.test.ts', 'test/compat/**'],
          globalSetup: [
            'test/setup/compile-connectors.ts',
            'test/setup/upstream-servers.ts',
            'test/setup/authorization-server.ts',
            'test/setup/oauth1-provider.ts',
            'test/setup/mcp-server.ts',
          ],
        },
      },
      {
        // Real providers' connectors, unchanged, against emulators of those providers: every
        // outbound request goes through the compat router (real hosts), nothing else is reachable.
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                ...testBindings,
                ...compatOutbound.bindings,
                COMPAT_COMPILE_ERRORS: JSON.stringify(inject('compatCompileErrors')),
              },
              outboundService: compatOutbound.fetch,
            },
          })),
        ],
        resolve: { alias: workerAliases() },
        test: {
          ...PROJECT_DEFAULTS,
          name: 'compat',
          include: ['test/compat/**/*.test.ts'],
          exclude: ['test/compat/**/*.node.test.ts'],
          globalSetup: ['test/setup/compile-connectors.ts'],
        },
      },
    ],
  },
})
