import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyphraseOnReal } from '../../../tools/train/eval/keyphrase-real.js';
import { pocketsphinxAvailable } from '../../../tools/train/eval/pocketsphinx.js';
import { directorySources } from '../../../tools/train/real/sources.js';
import { PronouncingDictionary } from '../../../tools/train/text/cmudict.js';

const flite = spawnSync('flite', ['-lv'], { stdio: 'ignore' }).error === undefined;
/** flite and pocketsphinx are test dependencies (tools/setup.sh installs them): without them this test fails and says so. */
beforeAll(() => {
  if (!flite || !pocketsphinxAvailable()) throw new Error('flite or pocketsphinx is missing: run tools/setup.sh (sudo apt install flite pocketsphinx pocketsphinx-en-us)');
});

/**
 * The keyphrase check alone on "real" recordings (stand-ins spoken by flite's slt voice here): the clips
 * whose name says the word are its recall, a sample of the others its false accepts, per threshold.
 */
test('counts the clips saying the word it finds and its false accepts on the rest, per threshold', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-kws-real-'));
  try {
    const say = (file: string, text: string): void => {
      mkdirSync(path.dirname(file), { recursive: true });
      expect(spawnSync('flite', ['-voice', 'slt', '-t', text, '-o', file]).status).toBe(0);
    };
    say(path.join(dir, 'a', 'computer_turn_on_the_light.wav'), 'Computer, turn on the light.');
    say(path.join(dir, 'a', 'the_weather_today.wav'), 'The weather today is quite nice.');
    say(path.join(dir, 'a', 'open_the_door.wav'), 'Please open the door for me.');
    say(path.join(dir, 'b', 'good_morning.wav'), 'Good morning, how are you?');
    const sources = directorySources([dir]);
    const ladder = [1e-5, 1e-40];
    const r = await keyphraseOnReal(sources, 'computer', ladder, PronouncingDictionary.load(), 1);
    expect(r.sources.map((s) => [s.name, s.wordClips, s.negativeClips])).toEqual([
      [`${path.basename(dir)}/a`, 1, 1],
      [`${path.basename(dir)}/b`, 0, 1],
    ]);
    for (const s of r.sources) {
      expect(s.wordFound).toHaveLength(2);
      expect(s.falseAccepts).toHaveLength(2);
      // The looser threshold accepts at least what the stricter one does.
      expect(s.wordFound[1]).toBeGreaterThanOrEqual(s.wordFound[0]!);
      expect(s.falseAccepts[1]).toBeGreaterThanOrEqual(s.falseAccepts[0]!);
      expect(s.negativeHours).toBeGreaterThan(0);
    }
    // A clear "Computer" is found at the loose threshold.
    expect(r.recall[1]).toBe(1);
    expect(r.falseAcceptsPerHour).toHaveLength(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
