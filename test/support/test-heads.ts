import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadManifest, resolveModelDir } from '../../models/manifest.js';

/**
 * Trained heads for tests, made of the bundled openWakeWord heads: a heads folder laid out as
 * models/wakeword/heads is (`<word>/<word>.json` beside `<word>.onnx` and `<word>-verifier.onnx`), each
 * file a copy of a bundled head. So the registry, switching, the cloud's second stage and the harness
 * can be exercised before (and independently of) the project's own trained heads.
 */
export interface TestHead {
  /** The word (folder and keyword), e.g. computer. */
  readonly word: string;
  readonly wakeWord?: string;
  /** The bundled head its stage-1 file copies, e.g. hey_jarvis. */
  readonly from: string;
  readonly threshold?: number;
  readonly patience?: number;
  /** A second stage: the bundled head its verifier copies, and the grey zone. */
  readonly verifier?: { readonly from: string; readonly high: number; readonly low: number; readonly patience?: number };
  readonly keyphrase?: { readonly text: string; readonly kwsThreshold: number };
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function bundledFile(keyword: string): string {
  const manifest = loadManifest();
  const entry = manifest.keywords[keyword];
  if (!entry) throw new Error(`no bundled head ${keyword}`);
  return path.join(resolveModelDir(manifest), entry.file);
}

/** Writes the heads into a new temporary folder; returns it and its remover. */
export function makeHeadsDir(heads: readonly TestHead[]): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'echosim-heads-'));
  for (const h of heads) {
    const folder = path.join(dir, h.word);
    mkdirSync(folder);
    const files: Record<string, string> = {};
    const put = (name: string, from: string): void => {
      const target = path.join(folder, name);
      copyFileSync(bundledFile(from), target);
      files[name] = sha256(target);
    };
    put(`${h.word}.onnx`, h.from);
    if (h.verifier) put(`${h.word}-verifier.onnx`, h.verifier.from);
    const description = {
      word: h.word,
      ...(h.wakeWord ? { wakeWord: h.wakeWord } : {}),
      files,
      threshold: h.threshold ?? 0.5,
      ...(h.patience ? { patience: h.patience } : {}),
      ...(h.verifier ? { verifier: { high: h.verifier.high, low: h.verifier.low, ...(h.verifier.patience ? { patience: h.verifier.patience } : {}) } } : {}),
      ...(h.keyphrase ? { keyphrase: h.keyphrase } : {}),
    };
    writeFileSync(path.join(folder, `${h.word}.json`), `${JSON.stringify(description, null, 2)}\n`);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** "computer" spotted with the bundled hey_jarvis head: a word a room profile can select, and a phrase espeak-ng can say to it. */
export const COMPUTER_AS_JARVIS: TestHead = { word: 'computer', wakeWord: 'COMPUTER', from: 'hey_jarvis' };
