/**
 * The application's brand on every page: its name (`APP_NAME`) and accent colour
 * (`APP_ACCENT_COLOR`), read once with the settings (src/settings.ts). A value that is not
 * acceptable falls back to the default instead of failing: a typo in a colour must not take the
 * connect flow down. The accent is the operator's to choose, so the text drawn on and in it is
 * chosen here to keep a contrast of at least 4.5:1 (WCAG 2.1 AA), whatever colour it is.
 */
import { displayNameProblem } from '../flow/display-name.ts'
import { contrastRatio, HEX_COLOR, MIN_TEXT_CONTRAST } from './contrast.ts'
import { PAGE_BACKGROUND, PAGE_INK } from './page-style.ts'

/** What the pages show of the application. */
export interface Brand {
  /** Plain text, 1 to MAX_APP_NAME_LENGTH characters; hono/html escapes it. */
  appName: string
  /** `#rrggbb`, lower case. */
  accentColor: string
}

/** Longest APP_NAME shown; a longer one falls back to the default. */
export const MAX_APP_NAME_LENGTH = 64

/** The brand when nothing is configured: an accent blue with 6.8:1 against white text. */
export const DEFAULT_BRAND: Readonly<Brand> = { appName: 'Latchkey', accentColor: '#1a56b8' }

/** The colours a page derives from an accent. */
export interface BrandColors {
  /** Fills and borders: the accent itself. */
  accent: string
  /** Text on an accent fill (primary buttons): white, or black when white would not be readable. */
  onAccent: string
  /** Text in the accent colour on the page (links, secondary buttons): the accent, or the page's ink when it would not be readable. */
  accentInk: string
}

const WHITE = '#ffffff'
const BLACK = '#000000'

/**
 * The brand from `APP_NAME` and `APP_ACCENT_COLOR` (unset or empty: the defaults). A name with
 * control, zero-width or bidirectional characters (src/flow/display-name.ts), or longer than
 * MAX_APP_NAME_LENGTH, and a colour other than `#rrggbb`, fall back to the default.
 */
export function brandFrom(appName: string | undefined, accentColor: string | undefined): Brand {
  const name = (appName ?? '').trim()
  const nameShown = name.length <= MAX_APP_NAME_LENGTH && displayNameProblem(name) === null
  return {
    appName: nameShown ? name : DEFAULT_BRAND.appName,
    accentColor: accentColor !== undefined && HEX_COLOR.test(accentColor) ? accentColor.toLowerCase() : DEFAULT_BRAND.accentColor,
  }
}

/**
 * The colours of `accentColor` (`#rrggbb`). White text stays on the accent while it is readable
 * (4.5:1); below that black is, since an accent too light for white has more than 4.58:1 with
 * black. Text in the accent colour is checked against the page background, the darker of the
 * two surfaces it sits on (the page, white cards).
 */
export function brandColors(accentColor: string): BrandColors {
  return {
    accent: accentColor,
    onAccent: contrastRatio(WHITE, accentColor) >= MIN_TEXT_CONTRAST ? WHITE : BLACK,
    accentInk: contrastRatio(PAGE_BACKGROUND, accentColor) >= MIN_TEXT_CONTRAST ? accentColor : PAGE_INK,
  }
}

/** The style sheet line that gives the page's custom properties the brand's colours (only `#rrggbb` values reach it). */
export function brandStyle(brand: Brand): string {
  const colors = brandColors(HEX_COLOR.test(brand.accentColor) ? brand.accentColor : DEFAULT_BRAND.accentColor)
  return `:root { --accent: ${colors.accent}; --on-accent: ${colors.onAccent}; --accent-ink: ${colors.accentInk}; }`
}
