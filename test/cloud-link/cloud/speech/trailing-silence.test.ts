import { KEPT_TAIL_MS, withoutTrailingSilence } from '../../../../cloud-link/cloud/speech/trailing-silence.js';
import { readWav } from '../../../../tools/harness/index.js';

const FIXTURES = new URL('../../../fixtures/', import.meta.url).pathname;
const ms = (n: number): number => Math.round((n * 16_000) / 1000);

function quietRoom(samples: number): Int16Array {
  const out = new Int16Array(samples);
  let s = 7;
  for (let i = 0; i < samples; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    out[i] = ((s >> 16) % 21) - 10; // about -70 dBFS
  }
  return out;
}

test("the endpointer's trailing silence is cut, the words and KEPT_TAIL_MS after them are kept", async () => {
  const words = (await readWav(`${FIXTURES}commands/flite-rms-03.wav`)).samples; // "set a timer for five minutes"
  const request = Int16Array.from([...words, ...quietRoom(ms(700))]);
  const cut = withoutTrailingSilence(request);
  expect(cut.length).toBeLessThan(words.length + ms(KEPT_TAIL_MS) + ms(20));
  expect(cut.length).toBeGreaterThan(words.length - ms(400)); // flite's own tail is silence too; no word is lost
  expect(Array.from(cut)).toEqual(Array.from(request.subarray(0, cut.length)));
});

test('audio without a clear peak (silence, steady noise) is returned whole', () => {
  const silence = new Int16Array(ms(1000));
  expect(withoutTrailingSilence(silence)).toBe(silence);
  const noise = quietRoom(ms(1000));
  expect(withoutTrailingSilence(noise).length).toBeGreaterThan(ms(1000) - ms(20) - 1);
});
