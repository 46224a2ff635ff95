/**
 * The adapter as one plain JavaScript file, built once per run with esbuild: the suite starts it
 * for every scenario, and plain Node starts it in a tenth of a second where tsx, compiling on the
 * fly, takes about half a second of CPU each time (some forty starts per run on two cores).
 */
import { build } from 'esbuild'

/** Bundles latchkey-mcp-client.ts (and what it imports; Node built-ins stay imports) into `outfile`. */
export async function bundleAdapter(entry: string, outfile: string): Promise<void> {
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' })
}
