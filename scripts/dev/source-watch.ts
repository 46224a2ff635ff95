/**
 * Watches source folders for edits and reports each burst of changes once, DEBOUNCE_MS after
 * its last event: an editor's save is several events (a scratch file, a rename, a chmod), and
 * `npm start` rebuilds once per save (local-demo.ts `rebuildConnectors`). Each folder gets its
 * own watch, rather than `fs.watch(dir, { recursive: true })`: on Linux, Node 20's recursive watch stops
 * reporting a file once it has been replaced by a rename (`sed -i`, many editors' safe save),
 * while a folder's watch sees every change to its entries. Folders that appear later (a new
 * connector) are watched as they appear.
 */
import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs'
import path from 'node:path'

/** Long enough to take an editor's save as one change. */
const DEBOUNCE_MS = 200

/** What to watch. */
export interface SourceWatchOptions {
  rootDir: string
  /** Folders to watch with everything under them, relative to `rootDir`; missing ones are skipped. */
  dirs: readonly string[]
  /**
   * Paths (relative to `rootDir`, `/`-separated) starting with one of these are not watched:
   * `src/registry/generated` also covers the `.tmp-` and `.old-` folders a build swaps in.
   */
  ignoredPrefixes: readonly string[]
  /** Called once per settled burst of changes, with the changed paths (relative, sorted). */
  onChange: (files: string[]) => void
  /** A folder could not be watched (other than by vanishing): edits there go unnoticed. */
  onError: (dir: string, error: Error) => void
}

/** A running watch. */
export interface SourceWatch {
  close(): void
}

/** Starts watching `dirs`; `close()` stops every watch and a pending report. */
export function watchSources(options: SourceWatchOptions): SourceWatch {
  const watchers = new Map<string, FSWatcher>()
  const changed = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let closed = false

  const isIgnored = (relative: string): boolean => options.ignoredPrefixes.some((prefix) => relative.startsWith(prefix)) || isEditorScratch(relative)
  const isFolder = (relative: string): boolean => statSync(path.join(options.rootDir, relative), { throwIfNoEntry: false })?.isDirectory() ?? false
  const report = (): void => {
    timer = undefined
    const files = [...changed].sort()
    changed.clear()
    options.onChange(files)
  }
  const noteChange = (relative: string): void => {
    changed.add(relative)
    clearTimeout(timer)
    timer = setTimeout(report, DEBOUNCE_MS)
  }
  const watchFolder = (relative: string): void => {
    if (closed || isIgnored(relative)) return
    watchers.get(relative)?.close()
    let watcher: FSWatcher
    let entries: string[]
    try {
      watcher = watch(path.join(options.rootDir, relative), (event, name) => onEvent(relative, event, name))
      entries = readdirSync(path.join(options.rootDir, relative), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
    } catch (error) {
      // A folder removed as it was found is simply not there any more.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') options.onError(relative, error as Error)
      return
    }
    watchers.set(relative, watcher)
    // The folder itself was removed: its parent's watch sees it come back.
    watcher.on('error', () => {
      watcher.close()
      if (watchers.get(relative) === watcher) watchers.delete(relative)
    })
    for (const name of entries) watchFolder(path.posix.join(relative, name))
  }
  const onEvent = (folder: string, event: string, name: string | null): void => {
    const relative = name === null ? folder : path.posix.join(folder, name)
    if (isIgnored(relative)) return
    // A folder created, or replaced, inside a watched one.
    if (event === 'rename' && relative !== folder && isFolder(relative)) watchFolder(relative)
    noteChange(relative)
  }

  for (const dir of options.dirs) if (isFolder(dir)) watchFolder(dir)
  return {
    close: () => {
      closed = true
      clearTimeout(timer)
      for (const watcher of watchers.values()) watcher.close()
      watchers.clear()
    },
  }
}

// Swap and backup files (`.spec.yml.swp`, `spec.yml~`) appear when a file is opened, not saved.
function isEditorScratch(relative: string): boolean {
  const name = path.posix.basename(relative)
  return name.startsWith('.') || name.endsWith('~')
}
