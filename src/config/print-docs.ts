// Writes docs/configuration.md (npm run docs:config), generated from the config schema; a test fails when
// the checked-in page differs from what this writes.
import { writeFileSync } from 'node:fs';
import { renderConfigPage } from './docs.ts';

const target = new URL('../../docs/configuration.md', import.meta.url);
writeFileSync(target, renderConfigPage());
process.stdout.write(`wrote ${target.pathname}\n`);
