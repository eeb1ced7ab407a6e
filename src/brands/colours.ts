// Owns what a brand colour may be and whether text stays readable on it: hex colours only (so a value can
// never break out of the CSS it is written into), and WCAG 2.1 contrast of at least 4.5:1 for the pairs the
// pages draw (text on the page background, button text on the accent, links in the white page body).

export const MIN_CONTRAST = 4.5;
const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

export const isHexColour = (value: string) => HEX.test(value);

function channels(hex: string): [number, number, number] {
  const digits = hex.slice(1);
  const full = digits.length === 3 ? [...digits].map((d) => d + d).join('') : digits;
  return [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
}

function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG contrast ratio of two hex colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

export interface BrandColours {
  /** Buttons and links. */
  accent: string;
  /** Text. */
  text: string;
  /** The page background around the white content box. */
  background: string;
}

/** Where the pages put text on a colour: [what, foreground, background]. */
const PAIRS = (c: BrandColours): [string, string, string][] => [
  ['text on background', c.text, c.background],
  ['text on the white content box', c.text, '#ffffff'],
  ['button text (white) on accent', '#ffffff', c.accent],
  ['accent links on the white content box', c.accent, '#ffffff'],
];

/** Each pair whose contrast is below 4.5:1, described for the person who chose the colours. */
export function contrastProblems(colours: BrandColours): string[] {
  return PAIRS(colours)
    .map(([what, fg, bg]) => ({ what, fg, bg, ratio: contrastRatio(fg, bg) }))
    .filter((p) => p.ratio < MIN_CONTRAST)
    .map((p) => `${p.what}: ${p.fg} on ${p.bg} has a contrast of ${p.ratio.toFixed(2)}:1, below the ${MIN_CONTRAST}:1 WCAG AA needs`);
}
