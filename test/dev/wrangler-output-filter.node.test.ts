/**
 * What `npm start` prints of wrangler dev's output (scripts/dev/wrangler-output-filter.ts):
 * nothing that asks for no action, every error, warning and line of the Worker's own.
 */
import { describe, expect, it } from 'vitest'
import { wranglerOutputFilter } from '../../scripts/dev/wrangler-output-filter.ts'

function shown(lines: string[], verbose = false): string[] {
  const filter = wranglerOutputFilter({ verbose })
  return lines.filter((line) => filter.shows(line))
}

const STARTUP = [
  '[custom build] Running: npm run build',
  '[custom build] ',
  '[custom build] connectors: 13 compiled, 0 warnings, 593 ms -> src/registry/generated',
  '[custom build] ',
  'Using secrets defined in ../latchkey-dev-J4coFv/secrets.env',
  'Using secrets defined in process.env',
  'Your Worker has access to the following bindings:',
  'Binding                                   Resource                  Mode',
  'env.CONNECTIONS (ConnectionObject)        Durable Object            local',
  'env.PUBLIC_BASE_URL ("(hidden)")          Environment Variable      local',
  '',
  '',
  'Service bindings, Durable Object bindings, and Tail consumers connect to other Wrangler or Vite dev processes running locally.',
  '',
  'The file .wrangler/latchkey-rebuild-trigger changed, restarting build...',
  '⎔ Starting local server...',
  '[wrangler:info] Ready on http://127.0.0.1:8787',
  '[wrangler:info] GET /health 200 OK (1880ms)',
]

describe("npm start's filter of wrangler dev output", () => {
  it('keeps only the build summary of a start', () => {
    expect(shown(STARTUP)).toEqual(['[custom build] connectors: 13 compiled, 0 warnings, 593 ms -> src/registry/generated'])
  })

  it("keeps errors, warnings, the Worker's own lines and requests other than the readiness probe", () => {
    const lines = [
      '\u001b[33m▲ \u001b[43;33m[\u001b[43;30mWARNING\u001b[43;33m]\u001b[0m \u001b[1mlatchkey: connector github unavailable: set GITHUB__CLIENT_ID (missing)\u001b[0m',
      '✘ [ERROR] kj::getCaughtExceptionAsKj() = disconnected: Broken pipe',
      '[wrangler:info] GET /connections 401 Unauthorized (98ms)',
      '[wrangler:info] GET /health 500 Internal Server Error (3ms)',
      '⎔ Reloading local server...',
    ]
    expect(shown(lines)).toEqual(lines)
  })

  it("leaves out the process dump under a failed build and keeps the build's diagnostics and wrangler's error", () => {
    const lines = [
      '[custom build] connectors/github/spec.yml:4:1 YAML syntax error',
      '✘ [ERROR] Error: Command failed with exit code 1: npm run build',
      '',
      '  connectors/github/spec.yml:4:1 YAML syntax error',
      '      at makeError (node_modules/wrangler/wrangler-dist/cli.js:54995:18)',
      "    stderr: 'connectors: 1 error'",
      '  }',
      '',
      '✘ [ERROR] Running custom build `npm run build` failed. There are likely more logs from your build command above.',
    ]
    expect(shown(lines)).toEqual([lines[0], lines[8]])
  })

  it('collapses runs of empty lines into one and never opens with one', () => {
    expect(shown(['', 'a', '', '', '', 'b'])).toEqual(['a', '', 'b'])
  })

  it('passes every line with LATCHKEY_VERBOSE', () => {
    expect(shown(STARTUP, true)).toEqual(STARTUP)
  })
})
