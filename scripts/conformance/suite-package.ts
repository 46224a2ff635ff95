/**
 * The installed MCP conformance suite (@modelcontextprotocol/conformance, a pinned
 * devDependency): where its command is, and which client-auth scenarios each revision requires
 * (its frozen `requirements/<revision>.yaml`, the suite's own answer to "what must a client pass
 * to conform to this revision").
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { parse } from 'yaml'

/** The revisions the runner runs, each at its own wire (stateful 2025-11-25, stateless 2026-07-28). */
export const REVISIONS = ['2025-11-25', '2026-07-28'] as const

const PACKAGE = '@modelcontextprotocol/conformance'
const AUTH_SCENARIO = /^auth\//

/** The package's folder. */
export function suiteDirectory(): string {
  return path.dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`))
}

/** The suite's command-line entry (its `bin`). */
export function suiteEntry(): string {
  const directory = suiteDirectory()
  const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as { bin?: Record<string, string> }
  const entry = manifest.bin?.['conformance']
  if (typeof entry !== 'string') throw new Error(`${PACKAGE} has no "conformance" bin`)
  return path.join(directory, entry)
}

/** The client scenarios named `auth/...` that `revision` requires, in the file's order. */
export function requiredAuthScenarios(revision: string): string[] {
  return authScenariosOf(readFileSync(path.join(suiteDirectory(), 'requirements', `${revision}.yaml`), 'utf8'), revision)
}

/** The `auth/...` entries of a requirements file's `client` list. */
export function authScenariosOf(requirementsYaml: string, revision: string): string[] {
  const document = parse(requirementsYaml) as { client?: unknown } | null
  const client = document?.client
  if (!Array.isArray(client) || !client.every((name) => typeof name === 'string')) throw new Error(`the ${revision} requirements have no list of client scenarios`)
  return (client as string[]).filter((name) => AUTH_SCENARIO.test(name))
}
