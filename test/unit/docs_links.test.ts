// Every relative link in README.md and docs/*.md reaches a file of the repository, and a link to a
// heading (`page.md#heading`) reaches a heading of that page (GitHub's anchors), so moving text
// between pages cannot leave a dead link behind. The README stays short, with the Quick start CI runs.
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const PAGES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2.
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of markdown.replace(/```[\s\S]*?```/g, '').split('\n')) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

function links(markdown: string): string[] {
  const text = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/i.test(l));
}

describe('relative links in README.md and docs/ resolve', () => {
  test.each(PAGES)('%s', (page) => {
    const file = path.join(ROOT, page);
    const dead: string[] = [];
    for (const link of links(fs.readFileSync(file, 'utf8'))) {
      const [target, anchor] = link.split('#');
      const resolved = target ? path.resolve(path.dirname(file), decodeURIComponent(target)) : file;
      if (!fs.existsSync(resolved)) {
        dead.push(`${link}: no such file`);
      } else if (anchor && resolved.endsWith('.md') && !anchors(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
        dead.push(`${link}: no heading #${anchor} in ${path.relative(ROOT, resolved)}`);
      }
    }
    expect(dead).toEqual([]);
  });
});

test("README: at most 150 lines, and its Quick start is the two commands .ci/run runs", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(150);
  const quickStart = readme.split('\n## Quick start')[1].split('\n## ')[0];
  const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? '';
  const commands = block.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  expect(commands).toEqual(['npm run setup', 'npm test']);
  const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8').split('\n').map((l) => l.trim());
  for (const command of commands) expect(ci).toContain(command);
});
