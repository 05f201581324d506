import { WakeWordVerifier } from '../../../../cloud-link/cloud/verification/verifier.js';
import { VERIFICATION_RULES } from '../../../../cloud-link/cloud/verification/verification-rule.js';
import { OpenWakeWordEngine } from '../../../../models/wakeword/openwakeword-engine.js';
import { OpenWakeWordModels } from '../../../../models/wakeword/oww-models.js';
import { loadFixtures } from '../../../models/wakeword/fixtures.js';
import { deviceStreams, labelledStream, type DeviceStream } from './streams.js';

/**
 * The measurement behind VERIFICATION_RULES.alexa, repeated on every run: each fixture re-scored
 * exactly as the verifier does, with a rule that never confirms, so the verdict's score is the best
 * run statistic (S_patience) inside the window. The asserted margins are the ones the rule's comment
 * quotes; if a model or pipeline change erodes them, this fails before the verdicts do.
 * `ECHOSIM_PRINT_MARGINS=1` prints the table.
 */
const rule = VERIFICATION_RULES.alexa!;

describe('verification margins on the committed fixtures', () => {
  let models: OpenWakeWordModels;
  let measure: WakeWordVerifier;
  const rows: Array<{ fixture: string; kind: string; deviceFires: boolean; s: number; peak: number; confirmedAfterEndMs?: number }> = [];

  beforeAll(async () => {
    models = await OpenWakeWordModels.load();
    // Threshold above 1: nothing confirms, every window is scored to its end.
    measure = new WakeWordVerifier({ models, rules: { alexa: { ...rule, threshold: 1.01 } } });
  });
  afterAll(async () => {
    if (process.env.ECHOSIM_PRINT_MARGINS) console.table(rows);
    await models.dispose();
  });

  async function s(stream: DeviceStream): Promise<{ s: number; peak: number }> {
    const v = await measure.verify(stream.audio, { keyword: 'alexa', ...stream.start });
    return { s: v.score, peak: v.peakScore };
  }

  test('every positive, cut 500 ms before its label, clears the threshold by 0.1 and confirms a chunk before the window closes', async () => {
    const production = new WakeWordVerifier({ models });
    for (const f of loadFixtures('pos')) {
      const stream = labelledStream(f);
      const r = await s(stream);
      // When the production rule confirms, relative to the labelled end of the word.
      const v = await production.verify(stream.audio, { keyword: 'alexa', ...stream.start });
      const confirmedAfterEndMs = Math.round(((v.detectedAtSample ?? NaN) - stream.start.wakeWordIndices!.endIndexInSamples) / 16);
      rows.push({ fixture: f.name, kind: 'pos', deviceFires: true, ...r, confirmedAfterEndMs });
      expect({ fixture: f.name, ok: r.s >= rule.threshold + 0.1 }).toEqual({ fixture: f.name, ok: true });
      // At least one 80 ms chunk to spare before the window closes (300 ms after the end).
      expect({ fixture: f.name, ok: confirmedAfterEndMs <= 300 - 80 }).toEqual({ fixture: f.name, ok: true });
    }
  });

  test('negatives: ordinary speech stays 0.2 below the threshold; the near-misses as measured', async () => {
    for (const f of loadFixtures('neg')) {
      const streams = await deviceStreams(models, f.samples);
      if (streams.length === 0) {
        // The device never opens a stream; cut one where its spotter came closest (its highest
        // chunk, with the device's 40 ms end lag and a 500 ms word), as if it had fired there.
        const { scores } = await new OpenWakeWordEngine(models).process({ index: 0, samples: f.samples });
        const top = scores.reduce((a, b) => ((b.scores.alexa ?? 0) > (a.scores.alexa ?? 0) ? b : a));
        const end = top.endIndex - 640;
        const from = Math.max(0, end - 16000);
        const r = await s({ start: { wakeWordIndices: { startIndexInSamples: end - 8000 - from, endIndexInSamples: end - from } }, audio: f.samples.slice(from) });
        rows.push({ fixture: f.name, kind: 'neg', deviceFires: false, ...r });
        expect({ fixture: f.name, ok: r.s < rule.threshold - 0.2 }).toEqual({ fixture: f.name, ok: true });
        continue;
      }
      for (const stream of streams) {
        const r = await s(stream);
        rows.push({ fixture: f.name, kind: 'neg', deviceFires: true, ...r });
        if (/alexis/.test(f.name)) {
          // Known limit of alexa_v0.1 (verification-rule.ts): "Alexis" scores like a true "Alexa".
          expect(r.s).toBeGreaterThan(rule.threshold);
        } else {
          expect({ fixture: f.name, ok: r.s < rule.threshold - 0.2 }).toEqual({ fixture: f.name, ok: true });
        }
      }
    }
  });
});
