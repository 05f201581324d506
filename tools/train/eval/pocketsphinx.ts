import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EchosimError } from '../../../core/errors.js';
import type { PronouncingDictionary } from '../text/cmudict.js';

/** Debian's pocketsphinx-en-us acoustic model. */
export const POCKETSPHINX_MODEL = '/usr/share/pocketsphinx/model/en-us/en-us';

/** Whether pocketsphinx_batch and its US English model are installed. */
export function pocketsphinxAvailable(): boolean {
  return existsSync(POCKETSPHINX_MODEL) && spawnSync('pocketsphinx_batch', ['-h'], { stdio: 'ignore' }).error === undefined;
}

/**
 * Threshold ladders for the keyphrase search: the smaller the threshold, the more it accepts. Short
 * words (three phones and fewer, like "echo") match everywhere at the ladder that suits long ones.
 * Four steps each, over the range where its keyword search trades recall for false accepts on real
 * speech (short words need thresholds near 1): every step is one
 * more pocketsphinx pass over every window.
 */
export function keyphraseLadder(phones: number): number[] {
  return phones <= 3 ? [1, 1e-1, 1e-3, 1e-5] : [1e-10, 1e-20, 1e-30, 1e-40];
}

/**
 * Debian's pocketsphinx spotting `keyphrase` in each window (16 kHz int16), one utterance per window
 * as the cloud checks one streamed window, once per threshold of `thresholds` (its keyword search
 * reports no score, so a threshold is a separate pass; passes run two at a time). Returns, per
 * window, whether it was found at each threshold. Throws TRAIN_TOOL_MISSING when pocketsphinx or a
 * word's pronunciation is missing.
 */
export async function spotKeyphrase(windows: readonly Int16Array[], keyphrase: string, thresholds: readonly number[], dict: PronouncingDictionary): Promise<boolean[][]> {
  const words = keyphrase.split(' ');
  const lines = words.map((w) => {
    const p = dict.pronunciations(w)[0];
    if (!p) throw new EchosimError('TRAIN_TOOL_MISSING', `pocketsphinx's dictionary has no pronunciation for "${w}"`, { hint: 'the keyphrase check needs every word of the phrase in cmudict' });
    return `${w} ${p.join(' ')}`;
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-kws-'));
  try {
    writeFileSync(path.join(dir, 'words.dict'), `${[...new Set(lines)].join('\n')}\n`);
    const ctl = windows.map((w, i) => {
      writeFileSync(path.join(dir, `w${i}.raw`), new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
      return `w${i}`;
    });
    writeFileSync(path.join(dir, 'list.ctl'), `${ctl.join('\n')}\n`);
    const found: boolean[][] = windows.map(() => thresholds.map(() => false));
    const pass = async (k: number): Promise<void> => {
      const hyp = path.join(dir, `out${k}.hyp`);
      await run([
        '-hmm', POCKETSPHINX_MODEL, '-dict', path.join(dir, 'words.dict'), '-keyphrase', keyphrase, '-kws_threshold', String(thresholds[k]),
        '-ctl', path.join(dir, 'list.ctl'), '-cepdir', dir, '-cepext', '.raw', '-adcin', 'yes', '-adchdr', '0', '-hyp', hyp,
      ]);
      for (const line of readFileSync(hyp, 'utf8').split('\n')) {
        const m = /^(.*?)\s*\((w(\d+))[^()]*\)\s*$/.exec(line);
        if (m && m[1]!.toLowerCase().includes(keyphrase)) found[Number(m[3])]![k] = true;
      }
    };
    for (let k = 0; k < thresholds.length; k += 2) await Promise.all([pass(k), ...(k + 1 < thresholds.length ? [pass(k + 1)] : [])]);
    return found;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('pocketsphinx_batch', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (d: Buffer) => void (tail = (tail + d.toString()).slice(-2000)));
    child.on('error', (cause) => reject(new EchosimError('TRAIN_TOOL_MISSING', `cannot run pocketsphinx_batch: ${cause.message}`, { cause, hint: 'install pocketsphinx and pocketsphinx-en-us (bash tools/setup.sh does)' })));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new EchosimError('TRAIN_FAILED', `pocketsphinx_batch exited with status ${String(code)}: ${tail.trim().split('\n').pop() ?? ''}`))));
  });
}
