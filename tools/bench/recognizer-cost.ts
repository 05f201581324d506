import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PocketsphinxSpotter, POCKETSPHINX_MODEL_DIR } from '../../cloud-link/cloud/verification/keyphrase-spotter.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { cpuTicks as ticks, TICK_MS } from './proc-cpu.js';

export interface RecognizerCostResult {
  checks: number;
  window_s: number;
  /** CPU (user + system) of the resident decoder per check, after its start-up, in ms. */
  resident_choice_cpu_ms: number;
  resident_keyphrase_cpu_ms: number;
  /** CPU of the resident decoders' start-up (model load), once per search, in ms. */
  resident_startup_cpu_ms: number;
  /** CPU of one pocketsphinx_batch process per check (model load + decode), in ms. */
  spawn_per_check_cpu_ms: number;
  /** Decoder CPU / audio time. */
  resident_xrt: number;
}


/**
 * What the cloud's speech recognizer costs per check (the grey zone's second stage): `checks`
 * windows of `window` decoded by the resident decoders (forced choice and keyword search), their
 * CPU read from /proc, against a process per check (what PocketsphinxSpotter avoids).
 */
export async function measureRecognizerCost(window: Int16Array, word: string, checks: number, kwsThreshold = 1e-20): Promise<RecognizerCostResult> {
  const spotter = new PocketsphinxSpotter();
  const missing = spotter.unavailable();
  if (missing) throw missing;
  try {
    // Start-up: the first check of each search loads the model.
    await spotter.choose(window, word);
    await spotter.spot(window, { text: word, kwsThreshold });
    const [choicePid, kwsPid] = spotter.pids as [number, number];
    const startup = (ticks(choicePid) + ticks(kwsPid)) * TICK_MS;
    const c0 = ticks(choicePid);
    for (let i = 0; i < checks; i++) await spotter.choose(window, word);
    const choice = ((ticks(choicePid) - c0) * TICK_MS) / checks;
    const k0 = ticks(kwsPid);
    for (let i = 0; i < checks; i++) await spotter.spot(window, { text: word, kwsThreshold });
    const kws = ((ticks(kwsPid) - k0) * TICK_MS) / checks;
    // One process per check, as the first version of the spotter did.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-bench-ps-'));
    try {
      const dict = readFileSync(path.join(POCKETSPHINX_MODEL_DIR, 'cmudict-en-us.dict'), 'utf8').split('\n').filter((l) => l.startsWith(`${word} `));
      writeFileSync(path.join(dir, 'w.dict'), `${dict.join('\n')}\n`);
      writeFileSync(path.join(dir, 'w.raw'), new Uint8Array(window.buffer, window.byteOffset, window.byteLength));
      writeFileSync(path.join(dir, 'w.ctl'), 'w\n');
      const spawns = Math.min(checks, 20);
      const s0 = ticks('self', true);
      for (let i = 0; i < spawns; i++) {
        spawnSync('pocketsphinx_batch', [
          '-hmm', path.join(POCKETSPHINX_MODEL_DIR, 'en-us'), '-dict', path.join(dir, 'w.dict'), '-keyphrase', word, '-kws_threshold', String(kwsThreshold),
          '-ctl', path.join(dir, 'w.ctl'), '-cepdir', dir, '-cepext', '.raw', '-adcin', 'yes', '-adchdr', '0', '-hyp', path.join(dir, 'w.hyp'), '-logfn', '/dev/null',
        ], { stdio: 'ignore' });
      }
      const spawn = ((ticks('self', true) - s0) * TICK_MS) / spawns;
      const windowS = window.length / SAMPLE_RATE;
      return {
        checks,
        window_s: windowS,
        resident_choice_cpu_ms: choice,
        resident_keyphrase_cpu_ms: kws,
        resident_startup_cpu_ms: startup,
        spawn_per_check_cpu_ms: spawn,
        resident_xrt: (choice + kws) / 2 / 1000 / windowS,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    spotter.close();
  }
}
