/**
 * An accessibility audit of the page a browser test is on: axe-core with the WCAG 2.1 A and AA
 * rules, expected to find nothing. On a failure the message lists each violation's rule id,
 * impact and the elements (CSS selectors) it found, which is what a developer needs to fix it.
 *
 * axe is evaluated into the page through the DevTools protocol (`page.evaluate`), which the
 * page's Content-Security-Policy does not govern, so the pages keep their real, strict CSP
 * during the test (a context with `bypassCSP` would also stop the test noticing a script the
 * CSP blocks). axe itself needs no eval at run time, so its audit runs under that CSP too.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'

/** The axe-core tags of WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_21_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const

/** One rule axe found broken, with the elements that break it. */
export interface AccessibilityViolation {
  /** The axe rule id (`color-contrast`, `landmark-one-main`...). */
  id: string
  /** `minor`, `moderate`, `serious` or `critical`. */
  impact: string | null
  /** The rule in one sentence. */
  help: string
  /** A CSS selector per element found. */
  targets: string[]
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** Runs axe (WCAG 2.1 AA) on `page` as it is now and fails the test, naming `pageName`, unless it finds nothing. */
export async function auditAccessibility(page: Page, pageName: string): Promise<void> {
  const violations = await accessibilityViolations(page)
  expect(violations.map(describeViolation), `axe-core (WCAG 2.1 AA) violations on ${pageName}`).toEqual([])
}

/** What axe (WCAG 2.1 AA rules only) finds wrong with `page` as it is now. */
export async function accessibilityViolations(page: Page): Promise<AccessibilityViolation[]> {
  // Strings, because this project's TypeScript has no DOM types.
  if ((await page.evaluate('typeof window.axe')) !== 'object') await page.evaluate(AXE_SOURCE)
  const options = JSON.stringify({ runOnly: { type: 'tag', values: WCAG_21_AA_TAGS }, resultTypes: ['violations'] })
  return (await page.evaluate(`axe.run(document, ${options}).then((results) => results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact ?? null,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.map(String).join(' ')),
  })))`)) as AccessibilityViolation[]
}

/** One line per violation: `color-contrast (serious): <help> at .note, main > p`. */
export function describeViolation(violation: AccessibilityViolation): string {
  return `${violation.id} (${violation.impact ?? 'no impact given'}): ${violation.help} at ${violation.targets.join(', ')}`
}
