import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { EchosimError } from '../../../core/errors.js';
import { Rng } from '../../bench/fuzz-rng.js';
import { deriveSeed, sha256 } from '../hash.js';
import { sample } from '../shuffle.js';
import type { Split } from '../tts/voices.js';
import { NATO_ALPHABET, type DebianSource } from './debian-sources.js';
import type { FetchedSource } from './fetch.js';

export interface RealClip {
  readonly file: string;
  /** What the clip says, as far as is known (a script line, or the file's name). */
  readonly transcript: string;
}

/** One recording campaign of real speech, wholly in training or wholly in validation. */
export interface RealSource {
  readonly name: string;
  readonly split: Split;
  readonly origin: 'debian' | 'directory';
  readonly language: string;
  readonly licence: string;
  readonly speakers: string;
  readonly clips: readonly RealClip[];
  /** Identity of the audio for the feature cache: versioned package names, or the files' content hash. */
  readonly fingerprint: string;
}

const AUDIO = /\.(wav|flac|ogg|oga|mp3)$/i;

/**
 * At most `max` clips of a source, besides those `always` keeps: a sample seeded by the source's
 * name (the same for every word and seed, so its features are cached once), kept in the source's
 * order. The fingerprint names the cap, so a capped stream never reads an uncapped one's cache.
 */
export function capSource(source: RealSource, max: number, always: (clip: RealClip) => boolean = () => false): RealSource {
  if (source.clips.length <= max) return source;
  const rng = new Rng(deriveSeed(0, 'real-cap', source.name));
  const kept = [...source.clips.keys()].filter((i) => always(source.clips[i]!));
  const keep = new Set([...kept, ...sample([...source.clips.keys()].filter((i) => !kept.includes(i)), max, rng)]);
  return { ...source, clips: source.clips.filter((_, i) => keep.has(i)), fingerprint: sha256(`${source.fingerprint}|cap ${max}`) };
}

/** A fetched Debian source's clips, sorted by path, with their transcripts. */
export function debianSource(fetched: FetchedSource): RealSource {
  const { source, roots, debs } = fetched;
  const files = roots
    .flatMap((root) => walk(root).map((f) => ({ root, f })))
    // Patterns are written for absolute paths as the package installs them (/usr/share/...).
    .filter(({ f }) => source.include.test(`/${f}`) && !source.exclude?.test(`/${f}`))
    .sort((a, b) => a.f.localeCompare(b.f));
  const dialogues = source.transcripts === 'fillets-dialogues' ? filletsDialogues(roots) : undefined;
  const clips = files.map(({ root, f }) => ({ file: path.join(root, f), transcript: transcriptOf(source, f, dialogues) }));
  return { name: source.name, split: source.split, origin: 'debian', language: source.language, licence: source.licence, speakers: source.speakers, clips, fingerprint: sha256(`${debs.join(',')}|${files.map((x) => x.f).join('\n')}`) };
}

/**
 * Real speech in folders given with --real-negatives: each subfolder holding audio is a source
 * (the folder itself when its audio is at the top). Sorted by name, sources alternate between
 * validation and training, validation first: one source alone is only measured on.
 */
export function directorySources(dirs: readonly string[]): RealSource[] {
  const found: { name: string; dir: string; files: string[] }[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new EchosimError('TRAIN_INPUT_INVALID', `--real-negatives ${dir} is not a folder`, { hint: 'give folders of real speech recordings (WAV, FLAC, Ogg) that never say the word' });
    }
    const files = walk(dir).filter((f) => AUDIO.test(f));
    const groups = new Map<string, string[]>();
    for (const f of files) {
      const top = f.includes(path.sep) ? f.split(path.sep)[0]! : '.';
      const list = groups.get(top);
      if (list) list.push(f);
      else groups.set(top, [f]);
    }
    if (groups.size === 0) throw new EchosimError('TRAIN_INPUT_INVALID', `--real-negatives ${dir} holds no audio`, { hint: 'expected .wav, .flac or .ogg files' });
    for (const [top, list] of groups) found.push({ name: top === '.' ? path.basename(dir) : `${path.basename(dir)}/${top}`, dir, files: list.sort() });
  }
  found.sort((a, b) => a.name.localeCompare(b.name));
  return found.map((g, i) => {
    const clips = g.files.map((f) => ({ file: path.join(g.dir, f), transcript: path.basename(f).replace(AUDIO, '').replace(/[-_]+/g, ' ') }));
    const content = sha256(clips.map((c) => sha256(readFileSync(c.file))).join(','));
    return { name: g.name, split: i % 2 === 0 ? 'val' : 'train', origin: 'directory', language: 'as recorded', licence: licenceOf(g.dir), speakers: 'see the folder', clips, fingerprint: content } satisfies RealSource;
  });
}

function licenceOf(dir: string): string {
  for (const name of ['LICENSE', 'LICENCE', 'COPYING']) {
    const file = path.join(dir, name);
    if (existsSync(file)) return readFileSync(file, 'utf8').split('\n').find((l) => l.trim().length > 0)?.trim() ?? name;
  }
  return 'see the folder';
}

/** Relative paths of every file under `root`. */
function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = dir ? path.join(dir, e.name) : e.name;
      if (e.isDirectory()) visit(rel);
      else if (e.isFile()) out.push(rel);
    }
  };
  visit('');
  return out;
}

function transcriptOf(source: DebianSource, rel: string, dialogues: ReadonlyMap<string, string> | undefined): string {
  const base = path.basename(rel).replace(AUDIO, '');
  if (source.transcripts === 'asterisk') {
    const letter = /phonetic\/([a-z])_p\.wav$/.exec(rel)?.[1];
    if (letter) return NATO_ALPHABET[letter] ?? base;
  }
  if (dialogues) {
    const m = /sound\/([^/]+)\/([a-z]{2})\/([^/]+)\.ogg$/.exec(rel);
    const line = m ? dialogues.get(`${m[1]}/${m[2]}/${m[3]}`) : undefined;
    if (line) return line;
  }
  return base.replace(/[-_]+/g, ' ');
}

/**
 * fillets-ng's dialogue scripts (script/<level>/dialogs_<lang>.lua): `dialogId("id", "font",
 * "English line")` then, in translations, `dialogStr("translated line")`. Keyed `level/lang/id`.
 */
function filletsDialogues(roots: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const pattern = /dialogId\("([^"]+)",\s*"[^"]*",\s*"((?:[^"\\]|\\.)*)"\)\s*(?:dialogStr\("((?:[^"\\]|\\.)*)"\))?/g;
  for (const root of roots) {
    const scripts = path.join(root, 'usr/share/games/fillets-ng/script');
    if (!existsSync(scripts)) continue;
    for (const level of readdirSync(scripts)) {
      for (const file of existsSync(path.join(scripts, level)) && statSync(path.join(scripts, level)).isDirectory() ? readdirSync(path.join(scripts, level)) : []) {
        const lang = /^dialogs_([a-z]{2})\.lua$/.exec(file)?.[1];
        if (!lang) continue;
        for (const m of readFileSync(path.join(scripts, level, file), 'utf8').matchAll(pattern)) {
          out.set(`${level}/${lang}/${m[1]!}`, (lang === 'en' ? m[2] : (m[3] ?? m[2])) ?? '');
        }
      }
    }
  }
  return out;
}
