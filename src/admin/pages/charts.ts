// Owns turning numbers into the bars the admin pages draw as SVG (server-rendered, no script): a bar per day
// for a count, and a bar per item for a share of a whole. Each bar carries its number in its title, and the
// pages show the same numbers in a table for screen readers. Words and numbers are in the reader's language.
import { currentLanguage } from '../../i18n/request-language.ts';

const WIDTH = 600;
const HEIGHT = 100;

export interface DayChart {
  width: number;
  height: number;
  bars: { x: number; y: number; width: number; height: number; title: string }[];
  total: number;
  peak: number;
}

/** `title` words a bar: its day and its count (a catalogue message with a plural). */
export function dayChart(days: readonly string[], counts: ReadonlyMap<string, number>, title: (day: string, count: number) => string): DayChart {
  const values = days.map((day) => counts.get(day) ?? 0);
  const peak = Math.max(1, ...values);
  const slot = WIDTH / Math.max(1, days.length);
  const barWidth = Number(Math.max(1, slot * 0.7).toFixed(1));
  const bars = values.flatMap((value, i) => {
    if (!value) return [];
    const height = Number(((value / peak) * HEIGHT).toFixed(1));
    return [{ x: Number((i * slot + (slot - barWidth) / 2).toFixed(1)), y: Number((HEIGHT - height).toFixed(1)), width: barWidth, height, title: title(days[i]!, value) }];
  });
  return { width: WIDTH, height: HEIGHT, bars, total: values.reduce((a, b) => a + b, 0), peak };
}

/** A share of a whole, as a percentage with one decimal (written in the reader's language) and the bar's width in a 100-wide box. */
export function share(part: number, whole: number): { percent: string; width: number } {
  const ratio = whole > 0 ? part / whole : 0;
  const percent = new Intl.NumberFormat(currentLanguage(), { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false }).format(ratio * 100);
  return { percent, width: Number((ratio * 100).toFixed(1)) };
}
