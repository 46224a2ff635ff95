/**
 * `node:fs` plus a small `globSync` for Node 20, which lacks it (it came in Node 22): what the
 * MCP conformance package imports as `fs` under node20-fs-hooks.mjs. The package calls it once,
 * as `globSync('**' + '/checks.json', {cwd})`, to find result files; this supports `**`, `*` and `?`
 * over `/`-separated patterns with a `cwd` option, and refuses anything else rather than
 * silently matching differently from Node 22.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export * from 'node:fs'
export default fs

/** Characters with a glob meaning this stand-in does not implement. */
const UNSUPPORTED_GLOB_SYNTAX = /[[\]{}!\\]/

/**
 * Paths under `options.cwd` (default: the working directory), relative to it and
 * `/`-separated, of the files and directories matching `pattern`; sorted.
 * @param {string} pattern
 * @param {{cwd?: string | URL}} [options]
 * @returns {string[]}
 */
export function globSync(pattern, options = {}) {
  if (typeof pattern !== 'string') throw new TypeError('globSync (Node 20 stand-in): only a single string pattern is supported')
  const unsupportedOptions = Object.keys(options).filter((name) => name !== 'cwd')
  if (unsupportedOptions.length > 0) throw new TypeError(`globSync (Node 20 stand-in): unsupported options ${unsupportedOptions.join(', ')}`)
  if (UNSUPPORTED_GLOB_SYNTAX.test(pattern) || pattern.startsWith('/')) {
    throw new TypeError(`globSync (Node 20 stand-in): unsupported pattern ${JSON.stringify(pattern)}`)
  }
  const cwd = options.cwd instanceof URL ? fileURLToPath(options.cwd) : (options.cwd ?? process.cwd())
  const matcher = globPatternRegExp(pattern)
  const entries = fs.readdirSync(cwd, { recursive: true })
  return entries
    .map((entry) => String(entry).split(path.sep).join('/'))
    .filter((entry) => matcher.test(entry))
    .sort()
}

/**
 * The anchored RegExp of a `/`-separated glob: `**` spans any number of whole segments,
 * `*` and `?` stay within one segment and, as in Node's glob, do not match a leading dot.
 * @param {string} pattern
 * @returns {RegExp}
 */
export function globPatternRegExp(pattern) {
  const segments = pattern.split('/').filter((segment) => segment !== '')
  let source = ''
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1
    if (segment === '**') {
      source += last ? '(?:(?!\\.)[^/]*(?:/(?!\\.)[^/]*)*)?' : '(?:(?!\\.)[^/]*/)*'
      return
    }
    source += `${segment.startsWith('.') ? '' : '(?!\\.)'}${[...segment].map(segmentCharacter).join('')}${last ? '' : '/'}`
  })
  return new RegExp(`^${source}$`)
}

/** @param {string} character */
function segmentCharacter(character) {
  if (character === '*') return '[^/]*'
  if (character === '?') return '[^/]'
  return character.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
