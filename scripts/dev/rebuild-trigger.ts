/**
 * One rebuild per edit while `npm start` runs. wrangler dev re-runs the `[build]` command (the
 * connector compiler) whenever a file under `[build] watch_dir` changes: once per file event,
 * with no pause for an editor's burst of events and without ignoring what the build itself
 * writes; with a `[build]` command its bundler watches nothing else. Watching src/ there rebuilt
 * again for every file the build wrote to src/registry/generated/, and connectors/ was not
 * watched at all. So wrangler watches a single file, REBUILD_TRIGGER_FILE (wrangler.toml's
 * `watch_dir`); npm start watches the sources itself (source-watch.ts) and, once their changes
 * have settled, touches the trigger (`requestRebuild`): one touch, one change event, one build.
 */
import { closeSync, mkdirSync, openSync, utimesSync } from 'node:fs'
import path from 'node:path'

/** wrangler.toml's `[build] watch_dir`, relative to the repository (`.wrangler/` is gitignored). */
export const REBUILD_TRIGGER_FILE = '.wrangler/latchkey-rebuild-trigger'

/** Creates the trigger file when it is missing: wrangler watches it from its start. */
export function ensureRebuildTrigger(rootDir: string): void {
  const file = path.join(rootDir, REBUILD_TRIGGER_FILE)
  mkdirSync(path.dirname(file), { recursive: true })
  closeSync(openSync(file, 'a'))
}

/** Makes a running wrangler dev run its `[build]` once and reload the Worker. */
export function requestRebuild(rootDir: string): void {
  ensureRebuildTrigger(rootDir)
  // A new modification time alone is one file event; rewriting the file can be two (truncate, write).
  const now = new Date()
  utimesSync(path.join(rootDir, REBUILD_TRIGGER_FILE), now, now)
}
