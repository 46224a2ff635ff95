/**
 * The deploy guard learns the deployed Worker's secret names from `wrangler secret list`
 * (scripts/dev/deployed-secrets.ts), and says why when wrangler cannot tell. Wrangler's
 * runs are scripted here: no test reaches Cloudflare.
 */
import { describe, expect, it } from 'vitest'
import { deployedSecretsFrom, listDeployedSecrets, type WranglerResult } from '../../scripts/dev/deployed-secrets.ts'

const failed = (stderr: string): WranglerResult => ({ status: 1, stdout: '', stderr })

describe('the deployed secrets', () => {
  it('asks wrangler secret list in JSON, for the Worker the deploy targets', () => {
    const calls: string[][] = []
    const secrets = listDeployedSecrets(
      (args) => {
        calls.push(args)
        return { status: 0, stdout: JSON.stringify([{ name: 'CONNECT_TOKEN_SECRET', type: 'secret_text' }]), stderr: '' }
      },
      ['--env', 'production'],
    )
    expect(calls).toEqual([['secret', 'list', '--format', 'json', '--env', 'production']])
    expect(secrets).toEqual({ known: true, names: ['CONNECT_TOKEN_SECRET'] })
  })

  it('reads the names of a successful listing, ignoring warnings on stderr', () => {
    const stdout = JSON.stringify([
      { name: 'CONNECT_TOKEN_SECRET', type: 'secret_text' },
      { name: 'CREDENTIALS_KEYS', type: 'secret_text' },
    ])
    expect(deployedSecretsFrom({ status: 0, stdout, stderr: '▲ [WARNING] "secrets" fields are experimental' })).toEqual({
      known: true,
      names: ['CONNECT_TOKEN_SECRET', 'CREDENTIALS_KEYS'],
    })
  })

  it.each([
    ['a Worker', '✘ [ERROR] Worker "latchkey" not found.\n\nIf this is a new Worker, run `wrangler deploy` first to create it.'],
    ['a Worker of an --env', '\u001b[31m✘ [ERROR]\u001b[0m Worker "latchkey" (env: production) not found.'],
  ])('knows that %s not deployed yet has no secrets', (_what, stderr) => {
    expect(deployedSecretsFrom(failed(stderr))).toEqual({ known: true, names: [] })
  })

  it.each<[string, WranglerResult, string]>([
    [
      'wrangler is not logged in',
      failed(
        "\u001b[31m✘ \u001b[41;31m[\u001b[41;97mERROR\u001b[41;31m]\u001b[0m \u001b[1mIn a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work. Please go to https://developers.cloudflare.com/\u001b[0m",
      ),
      "In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work.",
    ],
    ['wrangler fails without a message', failed(''), 'wrangler secret list exited with status 1'],
    ['wrangler cannot start', { status: null, stdout: '', stderr: '', error: new Error('spawnSync node ETIMEDOUT') }, 'wrangler did not run (spawnSync node ETIMEDOUT)'],
    ['wrangler prints something else', { status: 0, stdout: 'Secret Name: X', stderr: '' }, 'wrangler secret list printed something other than a JSON list of secrets'],
    ['an entry has no name', { status: 0, stdout: '[{"type":"secret_text"}]', stderr: '' }, 'wrangler secret list printed something other than a JSON list of secrets'],
  ])('cannot tell when %s, and says why', (_when, result, reason) => {
    expect(deployedSecretsFrom(result)).toEqual({ known: false, reason })
  })
})
