// Makes the prepared initial embedded database (embedded-template.ts) in the folder given, or in the project's
// dependency cache: `node src/db/make-embedded-template.ts [folder] [--install]`. Run by npm after install
// (`--install`: a failure is a warning, since `npm start` makes it later) and as the short-lived child of
// prepare-embedded.ts. initdb's memory peak stays in this process.
import { checkTemplate, defaultTemplateDir, makeTemplate } from './embedded-template.ts';

const args = process.argv.slice(2);
const install = args.includes('--install');
const dir = args.find((arg) => !arg.startsWith('--')) ?? defaultTemplateDir();
try {
  if (!install || !checkTemplate(dir).ok) await makeTemplate(dir);
} catch (error) {
  if (!install) throw error;
  process.stderr.write(`foyer: could not prepare the initial embedded database in ${dir} (${(error as Error).message.split('\n')[0]}); the first start will.\n`);
}
