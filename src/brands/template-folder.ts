// Owns reading brand template overrides from a folder at start: `<brand-id>/<partial>.hbs` (a partial in a
// subfolder of views/partials: `<brand-id>/<subfolder>/<partial>.hbs`). Each file is checked as an upload is;
// a file that fails is refused (returned with its reason, for the log) and the built-in template stays.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { AppError } from '../errors/app-error.ts';
import { BRAND_ID, TEMPLATE_NAME } from './schema.ts';
import { checkTemplate } from './templates.ts';

export interface FolderTemplates {
  /** Brand id → partial name → source. */
  templates: Map<string, Map<string, string>>;
  /** Files not used, each with why (for one log line each). */
  refused: { file: string; reason: string }[];
}

/** Reads and checks every override in `dir`; never throws for what is in the folder (the server still starts). */
export function readTemplateFolder(dir: string, templateNames: readonly string[]): FolderTemplates {
  const result: FolderTemplates = { templates: new Map(), refused: [] };
  let brands;
  try {
    brands = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    result.refused.push({ file: dir, reason: `the folder cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
    return result;
  }
  for (const entry of brands.filter((e) => !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
    const brandDir = join(dir, entry.name);
    if (!entry.isDirectory() || !BRAND_ID.test(entry.name)) {
      result.refused.push({ file: brandDir, reason: 'not a folder named by a brand id (lowercase letters, digits, hyphens)' });
      continue;
    }
    const files = (readdirSync(brandDir, { recursive: true, withFileTypes: true }))
      .filter((f) => f.isFile() && !f.name.startsWith('.')).map((f) => join(f.parentPath, f.name)).sort();
    for (const file of files) {
      const reason = refusal(file, brandDir, templateNames, (name, source) => {
        const own = result.templates.get(entry.name) ?? new Map<string, string>();
        result.templates.set(entry.name, own.set(name, source));
      });
      if (reason) result.refused.push({ file, reason });
    }
  }
  return result;
}

function refusal(file: string, brandDir: string, templateNames: readonly string[], keep: (name: string, source: string) => void): string | undefined {
  const path = relative(brandDir, file).split(sep).join('/');
  if (!path.endsWith('.hbs')) return 'not a .hbs file';
  const name = path.slice(0, -'.hbs'.length);
  if (!TEMPLATE_NAME.test(name) || !templateNames.includes(name)) return `there is no template named ${name.slice(0, 60)} to override`;
  try {
    const source = readFileSync(file, 'utf8');
    checkTemplate(source);
    keep(name, source);
    return undefined;
  } catch (error) {
    if (error instanceof AppError) return error.message;
    return `it cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}
