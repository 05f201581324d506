/**
 * Scores wake-word fixtures with the reference transcription (oww-reference.ts) and prints a Markdown table.
 *
 *   npx --yes tsx@4 test/models/reference/score-fixtures.ts [--seed 0] [--keyword alexa] [--pad 0] [--robust] [dir ...]
 *
 * Default dirs: test/fixtures/wakeword/{pos,neg,silence} and test/fixtures/demo. Every *.wav in a dir is
 * scored on a FRESH reference model (seed noise makeSeedNoise(seed)), without padding unless --pad is given
 * (Python's predict_clip pads 1 s of zeros each side; our engine does not). A dir's labels.tsv
 * (file, start_s, end_s, text) gives the end of the wake word; the peak offset is
 * (end of the peak chunk) - (labelled end), in ms: chunk k ends at sample (k+1)*1280 of the unpadded clip.
 *
 * --robust adds a column: the range (lowest-highest) of the clip's max score over 16 variants, seed noise
 * makeSeedNoise(0..3) x chunk phase shifted by dropping the first 0, 320, 640 or 960 samples. A positive
 * whose lowest is well above 0.5 (or a negative whose highest is well below) does not depend on a lucky
 * noise seed or chunk alignment.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULT_MODEL_DIR, ReferenceOpenWakeWord, makeSeedNoise, scoreClip } from './oww-reference.js';
import { readFixtureLabels } from './labels.js';
import { readWav16kMono } from './wav.js';


async function robustRange(samples: Int16Array, keyword: string, pad: number): Promise<[number, number]> {
  let min = Infinity;
  let max = -Infinity;
  for (let seed = 0; seed < 4; seed++) {
    for (const drop of [0, 320, 640, 960]) {
      const model = await ReferenceOpenWakeWord.create({
        modelDir: DEFAULT_MODEL_DIR,
        keywords: [keyword],
        seedNoise: makeSeedNoise(seed),
      });
      const { scores } = await scoreClip(samples.subarray(drop), { model, padSeconds: pad });
      const clipMax = Math.max(...scores[keyword]!);
      min = Math.min(min, clipMax);
      max = Math.max(max, clipMax);
    }
  }
  return [min, max];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let seed = 0;
  let keyword = 'alexa';
  let pad = 0;
  let robust = false;
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--seed') seed = Number(argv[++i]);
    else if (a === '--keyword') keyword = argv[++i]!;
    else if (a === '--pad') pad = Number(argv[++i]);
    else if (a === '--robust') robust = true;
    else dirs.push(a);
  }
  if (dirs.length === 0) {
    const root = join(process.cwd(), 'test', 'fixtures');
    dirs.push(join(root, 'wakeword', 'pos'), join(root, 'wakeword', 'neg'), join(root, 'wakeword', 'silence'), join(root, 'demo'));
  }

  console.log(`keyword ${keyword}, seed noise makeSeedNoise(${seed}), padding ${pad} s, threshold 0.5`);
  console.log('');
  const robustHead = robust ? ' max score over 16 variants |' : '';
  console.log(`| file | s | max score | peak chunk | peak at (s) | peak - labelled end (ms) | chunks >= 0.5 | first >= 0.5 - end (ms) |${robustHead}`);
  console.log(`|---|---|---|---|---|---|---|---|${robust ? '---|' : ''}`);
  for (const dir of dirs) {
    const labels = readFixtureLabels(dir);
    const files = readdirSync(dir).filter((f) => f.endsWith('.wav')).sort();
    for (const file of files) {
      const samples = readWav16kMono(readFileSync(join(dir, file)));
      const model = await ReferenceOpenWakeWord.create({
        modelDir: DEFAULT_MODEL_DIR,
        keywords: [keyword],
        seedNoise: makeSeedNoise(seed),
      });
      const { scores } = await scoreClip(samples, { model, padSeconds: pad });
      const s = scores[keyword]!;
      let peak = 0;
      for (let k = 1; k < s.length; k++) if (s[k]! > s[peak]!) peak = k;
      const padChunksMs = pad * 1000;
      const peakEndMs = (peak + 1) * 80 - padChunksMs;
      const label = labels.get(file);
      const hasEnd = label !== undefined && Number.isFinite(label.endS);
      const offset = hasEnd ? String(Math.round(peakEndMs - label.endS * 1000)) : '-';
      const above = s.filter((v) => v >= 0.5).length;
      const first = s.findIndex((v) => v >= 0.5);
      const firstOffset = hasEnd && first >= 0 ? String(Math.round((first + 1) * 80 - padChunksMs - label.endS * 1000)) : '-';
      const name = relative(process.cwd(), join(dir, file));
      let robustCell = '';
      if (robust) {
        const [lo, hi] = await robustRange(samples, keyword, pad);
        robustCell = ` ${lo.toFixed(4)}-${hi.toFixed(4)} |`;
      }
      console.log(
        `| ${name} | ${(samples.length / 16000).toFixed(2)} | ${s[peak]!.toFixed(4)} | ${peak} | ${(peakEndMs / 1000).toFixed(2)} | ${offset} | ${above} | ${firstOffset} |${robustCell}`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
