/**
 * A small grammar language, the one source of both the recognizer's JSGF grammar and the matcher that
 * reads a hypothesis back into slots: words, sequences, alternatives, optional parts, references to
 * named rules, and slots (a named capture around a part). Everything is lowercase dictionary words.
 */
export type Expr =
  | { readonly kind: 'words'; readonly text: string }
  | { readonly kind: 'seq'; readonly items: readonly Expr[] }
  | { readonly kind: 'alt'; readonly items: readonly Expr[] }
  | { readonly kind: 'opt'; readonly item: Expr }
  | { readonly kind: 'rule'; readonly name: string }
  | { readonly kind: 'slot'; readonly name: string; readonly item: Expr };

type Part = Expr | string;
const lift = (p: Part): Expr => (typeof p === 'string' ? words(p) : p);

export const words = (text: string): Expr => ({ kind: 'words', text: text.trim().replace(/\s+/g, ' ') });
export const seq = (...items: Part[]): Expr => ({ kind: 'seq', items: items.map(lift) });
export const alt = (...items: Part[]): Expr => ({ kind: 'alt', items: items.map(lift) });
export const opt = (item: Part): Expr => ({ kind: 'opt', item: lift(item) });
export const rule = (name: string): Expr => ({ kind: 'rule', name });
export const slot = (name: string, item: Part): Expr => ({ kind: 'slot', name, item: lift(item) });

/** The expression in JSGF syntax (slots are transparent: JSGF only sees their words). */
export function toJsgf(e: Expr): string {
  switch (e.kind) {
    case 'words':
      return e.text;
    case 'seq':
      return e.items.map((i) => (i.kind === 'alt' ? `(${toJsgf(i)})` : toJsgf(i))).join(' ');
    case 'alt':
      return e.items.map(toJsgf).join(' | ');
    case 'opt':
      return `[${toJsgf(e.item)}]`;
    case 'rule':
      return `<${e.name}>`;
    case 'slot':
      return `(${toJsgf(e.item)})`;
  }
}

/**
 * The expression as a regular-expression source over a space-separated word string (each word
 * followed by one space), with a named group per slot occurrence, `<slot>__<n>` (a slot may occur in
 * several alternatives; slotName() gives the slot back); `rules` resolves references (the grammar has
 * no recursion).
 */
export function toRegexSource(e: Expr, rules: ReadonlyMap<string, Expr>, depth = 0, groups = { n: 0 }): string {
  if (depth > 32) throw new Error('grammar rules nest too deeply');
  switch (e.kind) {
    case 'words':
      return e.text
        .split(' ')
        .map((w) => `${escape(w)} `)
        .join('');
    case 'seq':
      return e.items.map((i) => toRegexSource(i, rules, depth + 1, groups)).join('');
    case 'alt':
      return `(?:${e.items.map((i) => toRegexSource(i, rules, depth + 1, groups)).join('|')})`;
    case 'opt':
      return `(?:${toRegexSource(e.item, rules, depth + 1, groups)})?`;
    case 'rule': {
      const body = rules.get(e.name);
      if (!body) throw new Error(`grammar rule <${e.name}> is not defined`);
      return `(?:${toRegexSource(body, rules, depth + 1, groups)})`;
    }
    case 'slot':
      return `(?<${e.name}__${groups.n++}>${toRegexSource(e.item, rules, depth + 1, groups)})`;
  }
}

/** The slot a regex group of toRegexSource() belongs to. */
export const slotName = (group: string): string => group.replace(/__\d+$/, '');

/** Every word the expression can produce (rules resolved), for the recognizer's dictionary. */
export function vocabulary(e: Expr, rules: ReadonlyMap<string, Expr>, into = new Set<string>()): Set<string> {
  switch (e.kind) {
    case 'words':
      for (const w of e.text.split(' ')) into.add(w);
      break;
    case 'seq':
    case 'alt':
      for (const i of e.items) vocabulary(i, rules, into);
      break;
    case 'opt':
    case 'slot':
      vocabulary(e.item, rules, into);
      break;
    case 'rule': {
      const body = rules.get(e.name);
      if (body) vocabulary(body, rules, into);
      break;
    }
  }
  return into;
}

const escape = (w: string): string => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
