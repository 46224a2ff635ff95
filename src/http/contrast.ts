/**
 * WCAG 2.1 colour contrast (success criterion 1.4.3, "Contrast (Minimum)"): the relative
 * luminance of an sRGB colour and the contrast ratio of two, so an operator's accent colour can
 * be paired with text that stays readable (at least 4.5:1) whatever colour it is.
 * https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio
 */

/** The contrast normal text needs against its background (WCAG 2.1 AA). */
export const MIN_TEXT_CONTRAST = 4.5

/** A colour as `#rrggbb` (lower or upper case hex digits). */
export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/

/** Relative luminance of a `#rrggbb` colour, 0 (black) to 1 (white). https://www.w3.org/TR/WCAG21/#dfn-relative-luminance */
export function relativeLuminance(hexColor: string): number {
  if (!HEX_COLOR.test(hexColor)) throw new TypeError('expected a #rrggbb colour')
  const [red, green, blue] = [1, 3, 5].map((start) => linearChannel(Number.parseInt(hexColor.slice(start, start + 2), 16) / 255)) as [number, number, number]
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue
}

/** The contrast ratio of two `#rrggbb` colours, 1 to 21 (order does not matter). */
export function contrastRatio(first: string, second: string): number {
  const [lighter, darker] = [relativeLuminance(first), relativeLuminance(second)].sort((a, b) => b - a) as [number, number]
  return (lighter + 0.05) / (darker + 0.05)
}

function linearChannel(value: number): number {
  return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4
}
