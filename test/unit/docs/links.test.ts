// Every relative link in README.md, docs/ and examples/README.md leads to a file that exists, and a link with a
// #fragment to a heading of that page: moving or renaming a page cannot silently break the way to it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? markdownFiles(path) : name.endsWith('.md') ? [path] : [];
  });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set([...withoutCode.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1]!.trim().toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')));
}

function links(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

const pages = [join(root, 'README.md'), join(root, 'examples/README.md'), ...markdownFiles(join(root, 'docs'))];

describe('documentation links', () => {
  it('finds the pages (README.md, docs/README.md and the reader pages)', () => {
    expect(pages.map((p) => relative(root, p))).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/security.md']));
  });

  it('has no broken relative link between docs/ pages or from the README', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(page, 'utf8');
      for (const link of links(text)) {
        const [path, fragment] = link.split('#') as [string, string | undefined];
        const target = path ? resolve(dirname(page), decodeURIComponent(path)) : page;
        if (!existsSync(target)) {
          broken.push(`${relative(root, page)}: ${link} (no such file)`);
          continue;
        }
        if (fragment && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(fragment)) {
          broken.push(`${relative(root, page)}: ${link} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('links every docs/ page from docs/README.md or a page it links to', () => {
    const reached = new Set<string>();
    const queue = [join(root, 'docs/README.md')];
    while (queue.length) {
      const page = queue.pop()!;
      if (reached.has(page) || !page.endsWith('.md') || !existsSync(page)) continue;
      reached.add(page);
      for (const link of links(readFileSync(page, 'utf8'))) {
        const path = link.split('#')[0];
        if (path) queue.push(resolve(dirname(page), decodeURIComponent(path)));
      }
    }
    const unreached = markdownFiles(join(root, 'docs')).filter((p) => !reached.has(p)).map((p) => relative(root, p));
    expect(unreached).toEqual([]);
  });
});
