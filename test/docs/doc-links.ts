import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Checks the repository's pointers into its documentation:
 * - every `docs/<page>.md` or `docs/<page>.md#<anchor>` written anywhere (code comments, test names,
 *   hints, markdown) names an existing page and, with an anchor, one of its headings;
 * - every relative link in a markdown file (`[text](other.md#anchor)`) resolves from that file;
 * - no file cites the domain notes that used to live outside the repository (their facts are in docs/).
 *
 * Anchors are GitHub's heading slugs, so a pointer that passes here also works when clicked on GitHub.
 */

/** Entries that are not the project's own text: dependencies, build output, scratch space, git's data. */
const SKIP = new Set(['node_modules', 'dist', '.git', 'coverage', '.scratch', '.echosim']);
/** Larger files are data (fixtures, lock files), not prose; nobody writes a pointer into them. */
const MAX_TEXT_BYTES = 2 * 1024 * 1024;
/** The old citation, assembled so this file does not cite it itself. */
const RETIRED_NOTES = new RegExp(`\\b${['DOM', 'AIN'].join('')}(?:\\.md\\b|\\s*§)`);
/** `docs/page.md` with an optional `#anchor`, not part of a longer path (`foo/docs/...`). */
const DOCS_POINTER = /(?<![\w./-])docs\/([\w.-]+\.md)(?:#([\w-]+))?/g;
/** Markdown inline links and images: `[text](target)` or `[text](target "title")`. */
const MD_LINK = /!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;

export interface BrokenPointer {
  /** Repository-relative path of the file holding the pointer. */
  readonly file: string;
  readonly line: number;
  readonly pointer: string;
  readonly problem: string;
}

/** GitHub's slug of a heading: markdown stripped, lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*~]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a markdown text's headings (outside fenced code), duplicates numbered as GitHub does. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      const marker = f[1]!;
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = headingSlug(h[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Every text file under `root` (repository-relative, `/`-separated), skipping SKIP, symlinks and binaries. */
export function textFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      if (SKIP.has(entry.name)) continue;
      if (entry.isDirectory()) {
        walk(abs);
      } else if (entry.isFile()) {
        const size = statSync(abs).size;
        if (size > MAX_TEXT_BYTES) continue;
        const bytes = readFileSync(abs);
        if (bytes.includes(0)) continue; // binary (WAV fixtures, ...)
        out.push(path.relative(root, abs).split(path.sep).join('/'));
      }
    }
  };
  walk(root);
  return out.sort();
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export interface FindOptions {
  /**
   * Files whose pointers are examples rather than references (this checker's own tests). They are
   * still checked for citations of the retired notes.
   */
  readonly examplesIn?: (file: string) => boolean;
}

/** Every broken documentation pointer, and every citation of the retired notes, under `root`. */
export function findBrokenPointers(root: string, options: FindOptions = {}): BrokenPointer[] {
  const files = textFiles(root);
  const texts = new Map(files.map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));
  const anchorCache = new Map<string, Set<string> | undefined>();
  const anchorsOf = (file: string): Set<string> | undefined => {
    if (!anchorCache.has(file)) {
      const text = texts.get(file);
      anchorCache.set(file, text === undefined ? undefined : headingAnchors(text));
    }
    return anchorCache.get(file);
  };
  const exists = (rel: string): boolean => {
    if (texts.has(rel)) return true;
    try {
      statSync(path.join(root, rel));
      return true;
    } catch {
      return false;
    }
  };

  const broken: BrokenPointer[] = [];
  const check = (file: string, index: number, pointer: string, target: string, anchor: string | undefined): void => {
    const line = lineOf(texts.get(file)!, index);
    if (!exists(target)) {
      broken.push({ file, line, pointer, problem: `no file ${target}` });
      return;
    }
    if (anchor === undefined || anchor === '') return;
    if (!target.endsWith('.md')) return;
    const anchors = anchorsOf(target);
    if (!anchors?.has(anchor)) {
      broken.push({ file, line, pointer, problem: `${target} has no heading with anchor #${anchor}` });
    }
  };

  for (const [file, text] of texts) {
    const retired = RETIRED_NOTES.exec(text);
    if (retired) {
      broken.push({ file, line: lineOf(text, retired.index), pointer: retired[0], problem: 'cites the retired domain notes; point to a docs/ page instead' });
    }
    if (options.examplesIn?.(file) === true) continue;
    for (const m of text.matchAll(DOCS_POINTER)) {
      check(file, m.index, m[0], `docs/${m[1]!}`, m[2]);
    }
    if (!file.endsWith('.md')) continue;
    for (const m of text.matchAll(MD_LINK)) {
      const href = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // https:, mailto:, file:
      const hash = href.indexOf('#');
      const pathPart = hash < 0 ? href : href.slice(0, hash);
      const anchor = hash < 0 ? undefined : href.slice(hash + 1);
      const target = pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(pathPart)));
      if (target.startsWith('..')) {
        broken.push({ file, line: lineOf(text, m.index), pointer: href, problem: 'links outside the repository' });
        continue;
      }
      check(file, m.index, href, target.replace(/\/$/, ''), anchor);
    }
  }
  return broken;
}
