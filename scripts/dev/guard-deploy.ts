/**
 * `npm run deploy [-- wrangler deploy options]`: refuses to deploy development defaults or the
 * demo connector (deploy-check.ts), then runs `wrangler deploy` with the same options (its
 * [build] step compiles the connectors).
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { deployProblems } from './deploy-check.ts'
import { DEMO_CONNECTOR_DIR } from './development-defaults.ts'

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))

function main(): number {
  const args = process.argv.slice(2)
  const problems = deployProblems({
    wranglerToml: readFileSync(path.join(ROOT_DIR, 'wrangler.toml'), 'utf8'),
    args,
    readFile: (file) => readFileSync(path.resolve(file), 'utf8'),
    connectorDirs: process.env['LATCHKEY_CONNECTOR_DIRS'],
    demoConnectorDir: DEMO_CONNECTOR_DIR,
  })
  if (problems.length > 0) {
    console.error(`Refusing to deploy:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    console.error('Development defaults are for `npm start` only. Set real secrets with `npx wrangler secret put <NAME>`.')
    return 1
  }
  const wrangler = spawnSync(process.execPath, [path.join(ROOT_DIR, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', ...args], { cwd: ROOT_DIR, stdio: 'inherit' })
  return wrangler.status ?? 1
}

process.exitCode = main()
