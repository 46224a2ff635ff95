/**
 * `node --import ./scripts/conformance/node20-fs.mjs <conformance>`: lets the MCP conformance
 * suite (@modelcontextprotocol/conformance 0.2.0-alpha.12) start on Node 20. Its bundle imports
 * `globSync` from `fs`, which Node adds in 22; an ESM named import that does not exist fails at
 * link time, before any of its code runs, and a `--require` preload cannot add a named export to
 * a built-in module. So a module customization hook (node20-fs-hooks.mjs) gives that package, and
 * only that package, a stand-in `fs` (node20-fs-shim.mjs). On a Node that has `fs.globSync` this
 * registers nothing.
 */
import fs from 'node:fs'
import { register } from 'node:module'

if (typeof fs.globSync !== 'function') register('./node20-fs-hooks.mjs', import.meta.url)
