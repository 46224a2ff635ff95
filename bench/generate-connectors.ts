/**
 * Writes N synthetic oauth2 connectors for compiler benchmarks, cycling through every
 * implementation style: file mapping, inline mapping, inline code (ESM, CommonJS, bare
 * function), ESM default, ESM named, CommonJS and TypeScript files.
 *
 *   tsx bench/generate-connectors.ts N DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

// One JavaScript method body, in each style the format allows; `auth/<file>` or inline `code:`.
const JS_STYLES = [
  { kind: 'file', ext: 'js', body: (name: string) => `export default async function ${name}({ credentials, connectorParameters }) {\n${BODY}}\n` },
  {
    kind: 'file',
    ext: 'js',
    body: (name: string) => `const TIMEOUT_MS = 5000\nexport async function ${name}({ credentials, connectorParameters }) {\n${BODY}}\nexport { TIMEOUT_MS }\n`,
  },
  {
    kind: 'file',
    ext: 'js',
    body: (name: string) => `// CommonJS, as in the connector-builder docs\nexports.${name} = async function ({ credentials, connectorParameters }) {\n${BODY}}\n`,
  },
  {
    kind: 'file',
    ext: 'ts',
    body: (name: string) =>
      `interface Args { credentials: Record<string, string>; connectorParameters: Record<string, string> }\nexport async function ${name}({ credentials, connectorParameters }: Args): Promise<unknown> {\n${BODY}}\n`,
  },
  { kind: 'inline', body: (name: string) => `export async function ${name}({ credentials, connectorParameters }) {\n${BODY}}\n` },
  { kind: 'inline', body: (name: string) => `module.exports = { ${name}: async ({ credentials, connectorParameters }) => {\n${BODY}} }\n` },
  { kind: 'inline', body: () => `async function ({ credentials, connectorParameters }) {\n${BODY}}\n` },
] as const

const BODY = `  const response = await fetch(\`\${connectorParameters.apiBase ?? 'https://api.example.test'}/me\`, {
    headers: { Authorization: \`Bearer \${credentials.access_token}\`, Accept: 'application/json' },
  })
  if (!response.ok) throw new Error(\`status \${response.status}\`)
  const body = await response.json()
  return { ...credentials, userId: body.id, expires_at: Date.now() + 3600 * 1000 }
`

const OAUTH_CONFIG = `clientId: {$var: connectorParameters.clientId}
clientSecret: {$var: connectorParameters.clientSecret}
authorizeUri:
  $concat:
    values: ['https://', {$var: connectionInput.subdomain}, '.example.test/oauth/authorize']
tokenUri: {$tpl: {template: 'https://{sub}.example.test/oauth/token', values: {sub: {$var: connectionInput.subdomain}}}}
scopes: {$firstNotEmpty: [{$var: connectorParameters.scopes}, [read, write]]}
clientAuthLocation: body
extra:
  access_type: offline
  prompt: {$case: {cases: [{filter: {$eval: {$var: connectorParameters.forceConsent}, is: true}, value: consent}], default: select_account}}
`

function specFor(index: number, methodStyles: ReadonlyArray<readonly [string, number]>): string {
  const methods = methodStyles.map(([name, style]) => {
    const jsStyle = JS_STYLES[style] as (typeof JS_STYLES)[number]
    if (jsStyle.kind === 'file') return `  ${name}:\n    implementationType: javascript\n`
    const code = jsStyle.body(name).replace(/^/gm, '      ').replace(/ +$/gm, '')
    return `  ${name}:\n    implementationType: javascript\n    code: |\n${code}`
  })
  return `name: Bench API ${index}
logoUri: https://example.test/logo-${index}.svg
parametersSchema:
  type: object
  properties:
    clientId: {type: string}
    clientSecret: {type: string}
    scopes: {type: array, items: {type: string}}
    forceConsent: {type: boolean}
  required: [clientId, clientSecret]
auth:
  type: oauth2
  title: Bench API ${index}
  inputSchema:
    type: object
    properties:
      subdomain: {type: string, pattern: '^[a-z0-9-]+$', minLength: 1}
    required: [subdomain]
  credentialsSchema:
    type: object
    properties:
      access_token: {type: string}
      refresh_token: {type: string}
      expires_at: {type: number}
  getOAuthConfig:
    implementationType: mapping
  makeApiClient:
    implementationType: mapping
    mapping:
      baseUri: {$concat: {values: ['https://', {$var: connectionInput.subdomain}, '.example.test/api'], delimiter: ''}}
      headers:
        Authorization: {$concat: ['Bearer ', {$var: credentials.access_token}]}
        Accept: application/json
${methods.join('')}`
}

/** Writes `count` connectors `bench-0000`... into `dir` (created if needed). */
export function generateConnectors(count: number, dir: string): void {
  for (let index = 0; index < count; index++) {
    const folder = path.join(dir, `bench-${String(index).padStart(4, '0')}`)
    mkdirSync(path.join(folder, 'auth'), { recursive: true })
    const methodStyles = [
      ['test', index % JS_STYLES.length],
      ['getTokenData', (index + 2) % JS_STYLES.length],
      ['refreshCredentials', (index + 4) % JS_STYLES.length],
    ] as const
    writeFileSync(path.join(folder, 'spec.yml'), specFor(index, methodStyles))
    writeFileSync(path.join(folder, 'auth/get-oauth-config.map.yml'), OAUTH_CONFIG)
    for (const [name, style] of methodStyles) {
      const jsStyle = JS_STYLES[style] as (typeof JS_STYLES)[number]
      if (jsStyle.kind === 'file') writeFileSync(path.join(folder, `auth/${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.${jsStyle.ext}`), jsStyle.body(name))
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [count, dir] = process.argv.slice(2)
  if (!count || !dir || !/^\d+$/.test(count)) {
    console.error('usage: tsx bench/generate-connectors.ts N DIR')
    process.exit(2)
  }
  generateConnectors(Number(count), dir)
  console.log(`wrote ${count} connectors to ${dir}`)
}
