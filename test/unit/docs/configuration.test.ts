// docs/configuration.md is generated from the config schema (npm run docs:config); this fails when the
// checked-in page differs, so a new or changed setting cannot ship undocumented.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigPage } from '../../../src/config/docs.ts';

describe('docs/configuration.md', () => {
  it('is the page generated from the config schema (run npm run docs:config after changing the schema)', () => {
    const page = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(page).toBe(renderConfigPage());
  });
});
