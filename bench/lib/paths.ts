/**
 * Where things are: the repository root, whatever the current directory.
 */
import { fileURLToPath } from 'node:url'

/** Absolute path of the repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
