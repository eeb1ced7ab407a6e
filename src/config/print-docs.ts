// Prints the README's configuration table (npm run docs:config), generated from the config schema.
import { renderConfigTable } from './docs.ts';

process.stdout.write(`${renderConfigTable()}\n`);
