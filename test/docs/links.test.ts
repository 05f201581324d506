import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBrokenPointers, headingAnchors, headingSlug, textFiles } from './doc-links.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** This folder's files write example pointers, broken on purpose; they are checked for the retired notes only. */
const examplesIn = (file: string): boolean => file.startsWith('test/docs/');

describe('documentation pointers in this repository', () => {
  test('every docs/...md#anchor and every relative markdown link resolves, and nothing cites the retired domain notes', () => {
    const broken = findBrokenPointers(REPO, { examplesIn }).map((b) => `${b.file}:${b.line}: ${b.pointer}: ${b.problem}`);
    expect(broken).toEqual([]);
  });

  test('the check covers the code, the tests and the docs (it is not looking at an empty tree)', () => {
    const files = textFiles(REPO);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md', 'firmware/leds/patterns.ts', 'test/docs/links.test.ts']));
    expect(files.some((f) => f.startsWith('node_modules/') || f.startsWith('dist/'))).toBe(false);
  });
});

describe('the checker', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'echosim-doclinks-'));
    mkdirSync(path.join(root, 'docs'));
    mkdirSync(path.join(root, 'src'));
    writeFileSync(
      path.join(root, 'docs', 'ring.md'),
      '# The ring\n\n## States\n\n```\n## not a heading\n```\n\n## Palette: colours (RGB)\n\n## States\n\nSee [palette](#palette-colours-rgb) and [top](../README.md).\n',
    );
    writeFileSync(path.join(root, 'README.md'), 'Read [the ring](docs/ring.md#states).\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const problems = (): string[] => findBrokenPointers(root).map((b) => `${b.file}:${b.line} ${b.pointer}`);

  test('a tree whose pointers all resolve passes', () => {
    writeFileSync(path.join(root, 'src', 'a.ts'), '// See docs/ring.md#states and docs/ring.md#states-1\nexport const x = 1; // docs/ring.md\n');
    expect(problems()).toEqual([]);
  });

  test('a pointer to a missing page fails', () => {
    writeFileSync(path.join(root, 'src', 'a.ts'), 'export const x = 1;\n/** See docs/lights.md#states. */\n');
    expect(problems()).toEqual(['src/a.ts:2 docs/lights.md#states']);
  });

  test('a pointer to a missing heading fails', () => {
    writeFileSync(path.join(root, 'src', 'a.ts'), '// docs/ring.md#colours\n');
    expect(problems()).toEqual(['src/a.ts:1 docs/ring.md#colours']);
  });

  test('a heading inside a code fence is not an anchor', () => {
    writeFileSync(path.join(root, 'src', 'a.ts'), '// docs/ring.md#not-a-heading\n');
    expect(problems()).toEqual(['src/a.ts:1 docs/ring.md#not-a-heading']);
  });

  test('a broken relative markdown link fails, from the file it is in', () => {
    writeFileSync(path.join(root, 'docs', 'other.md'), '# Other\n\n[ring](ring.md#states) [gone](ring.md#gone) [file](../src/none.ts)\n');
    expect(problems()).toEqual(['docs/other.md:3 ring.md#gone', 'docs/other.md:3 ../src/none.ts']);
  });

  test('citing the retired domain notes fails, in any file', () => {
    // Spelled in pieces so this file does not cite the notes itself.
    const name = ['DOM', 'AIN'].join('');
    writeFileSync(path.join(root, 'src', 'a.ts'), `// the ring (${name}.md §3)\n`);
    writeFileSync(path.join(root, 'notes.txt'), `see ${name} §1\n`);
    expect(problems()).toEqual([`notes.txt:1 ${name} §`, `src/a.ts:1 ${name}.md`]);
  });

  test('files of examples skip the pointer check but not the retired-notes check', () => {
    const name = ['DOM', 'AIN'].join('');
    writeFileSync(path.join(root, 'src', 'a.ts'), `// docs/lights.md#states\n// ${name}.md\n`);
    const found = findBrokenPointers(root, { examplesIn: (f) => f.startsWith('src/') }).map((b) => `${b.file}:${b.line} ${b.pointer}`);
    expect(found).toEqual([`src/a.ts:2 ${name}.md`]);
  });
});

describe('heading anchors', () => {
  test("follow GitHub's slugs", () => {
    expect(headingSlug('Alexa for Business: the names and limits echosim mirrors')).toBe('alexa-for-business-the-names-and-limits-echosim-mirrors');
    expect(headingSlug('`StartDeviceSync` (reset)')).toBe('startdevicesync-reset');
    expect(headingSlug('Follow a microphone sample to the cloud')).toBe('follow-a-microphone-sample-to-the-cloud');
    expect([...headingAnchors('# A\n## B\n## B\n')]).toEqual(['a', 'b', 'b-1']);
  });
});
