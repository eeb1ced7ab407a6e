// WCAG 2.1 A/AA checks of a page as Chromium shows it: axe-core's rules at a desktop width and at 320 px,
// and no horizontal scrolling at 320 px (WCAG 1.4.10, reflow). Faults are collected, not thrown, so one
// run names every page that fails.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 320, height: 640 };

/**
 * Names each element that takes keyboard focus without a visible ring (outline of at least 2 px, not
 * transparent): WCAG 2.4.7. One Tab puts Chromium in keyboard mode, so focusing each element in turn
 * shows what :focus-visible shows.
 */
async function unfocusedRings(page: Page): Promise<string[]> {
  await page.keyboard.press('Tab');
  return page.evaluate(() => {
    const focusable = document.querySelectorAll<HTMLElement>('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])');
    const found: string[] = [];
    for (const el of focusable) {
      if (el.getBoundingClientRect().width === 0 || (el as HTMLButtonElement).disabled) continue;
      el.focus();
      if (document.activeElement !== el) continue;
      const style = getComputedStyle(el);
      const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 && !/rgba\(.*, 0\)$/.test(style.outlineColor);
      if (!ring) found.push(el.outerHTML.slice(0, 100));
    }
    (document.activeElement as HTMLElement | null)?.blur();
    return found;
  });
}

/** Runs axe and the reflow check on the page at both widths; returns one line per fault. */
export async function auditPage(page: Page, label: string): Promise<string[]> {
  const faults: string[] = [];
  const where = `${label} (${new URL(page.url()).pathname})`;
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size);
    // Only violations are read: axe then skips gathering every passing node, which is most of its time.
    const result = await new AxeBuilder({ page: page as never }).withTags(WCAG_TAGS).options({ resultTypes: ['violations'] }).analyze();
    for (const violation of result.violations) {
      const targets = violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join(', ');
      faults.push(`${where} @${size.width}px: ${violation.id} (${violation.impact}) ${violation.help} — ${targets}`);
    }
    if (size === DESKTOP) faults.push(...(await unfocusedRings(page)).map((el) => `${where}: no visible focus ring on ${el}`));
    if (size === PHONE) {
      const overflow = await page.evaluate(() => {
        const root = document.documentElement;
        if (root.scrollWidth <= root.clientWidth) return null;
        const wide = [...document.body.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1 || el.getBoundingClientRect().left < -1);
        return `${root.scrollWidth} > ${root.clientWidth}: ${wide.slice(-3).map((el) => el.outerHTML.slice(0, 120)).join(' | ')}`;
      });
      if (overflow) faults.push(`${where} @320px scrolls sideways: ${overflow}`);
    }
  }
  await page.setViewportSize(DESKTOP);
  return faults;
}
