/**
 * wrangler.toml's `[build] watch_dir`: a file nothing writes. `wrangler dev` re-runs a `[build]`
 * command whenever a file under `watch_dir` changes (default `./src`: once per file event, and
 * again for every file the build itself writes into src/registry/generated/), so pointing it
 * at this file keeps a plain `wrangler dev` to building at start. `npm start` does not use
 * wrangler's `[build]` at all: it compiles the connectors itself, once at start and once per
 * edit (local-demo.ts, source-watch.ts), and runs wrangler with a copy of wrangler.toml
 * without `[build]` (dev-wrangler-config.ts). wrangler-output-filter.ts still drops wrangler's
 * line naming this file.
 */

/** wrangler.toml's `[build] watch_dir`, relative to the repository (`.wrangler/` is gitignored). */
export const REBUILD_TRIGGER_FILE = '.wrangler/latchkey-rebuild-trigger'
