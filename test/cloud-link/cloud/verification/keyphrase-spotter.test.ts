import { EchosimError } from '../../../../core/errors.js';
import { PocketsphinxSpotter } from '../../../../cloud-link/cloud/verification/keyphrase-spotter.js';
import { loadFixtures } from '../../../models/wakeword/fixtures.js';

/**
 * Debian's pocketsphinx through resident decoders (tools/setup.sh installs it). The word windows are
 * cut as the near-miss choice cuts them: the 1.5 s that end at the labelled end of the word
 * (a keyword search gets 300 ms more).
 */
const positives = loadFixtures('pos');
const negatives = loadFixtures('neg');
function window(name: string, afterEndS = 0): Int16Array {
  const f = [...positives, ...negatives].find((x) => x.name.startsWith(name))!;
  const end = Math.round((f.label!.endS + afterEndS) * 16000);
  return f.samples.slice(Math.max(0, end - 24000), end);
}
/** A keyword search needs the word to finish inside the window: as the grey-zone check, 300 ms past its end. */
const kwsWindow = (name: string): Int16Array => window(name, 0.3);

describe('PocketsphinxSpotter', () => {
  let spotter: PocketsphinxSpotter;
  beforeAll(() => {
    spotter = new PocketsphinxSpotter();
    expect(spotter.unavailable()).toBeUndefined();
  });
  afterAll(() => spotter.close());

  test('a keyphrase search finds the word in a true wake word and not in other speech', async () => {
    expect(await spotter.spot(kwsWindow('p01'), { text: 'alexa', kwsThreshold: 1e-20 })).toBe(true);
    const other = negatives.find((f) => f.name.startsWith('n09'))!.samples;
    expect(await spotter.spot(other.slice(0, 32000), { text: 'alexa', kwsThreshold: 1e-20 })).toBe(false);
  });

  test('the forced choice hears the word in a true wake word and a near miss in "Alexis"', async () => {
    const word = await spotter.choose(window('p01'), 'alexa');
    expect(word.heard).toBe('alexa');
    expect(word.nearMisses).toEqual(expect.arrayContaining(['alexis', 'alexia', 'alexei']));
    expect(word.nearMisses).not.toContain('alexa');
  });

  test('one resident process per search, reused from check to check; checks queue in order', async () => {
    const before = spotter.pids.length;
    const phrase = { text: 'alexa', kwsThreshold: 1e-30 };
    const results = await Promise.all([window('p01'), window('p03'), window('p05')].map((w) => spotter.spot(w, phrase)));
    expect(results).toHaveLength(3);
    expect(spotter.pids.length).toBe(before + 1);
    const pids = spotter.pids;
    await spotter.spot(window('p01'), phrase);
    expect(spotter.pids).toEqual(pids);
  });

  test('bounded: checks beyond the queue are refused with KEYPHRASE_BUSY; a hung decode is killed with KEYPHRASE_FAILED and the next starts afresh', async () => {
    const busy = new PocketsphinxSpotter({ maxQueued: 0 });
    try {
      const phrase = { text: 'alexa', kwsThreshold: 1e-20 };
      const settled = await Promise.allSettled([0, 1, 2].map(() => busy.spot(kwsWindow('p01'), phrase)));
      expect(settled.filter((s) => s.status === 'rejected').map((s) => ((s as PromiseRejectedResult).reason as EchosimError).code)).toEqual(['KEYPHRASE_BUSY', 'KEYPHRASE_BUSY']);
      expect(settled[0]).toEqual({ status: 'fulfilled', value: true });
    } finally {
      busy.close();
    }
    // Loading the model alone takes far longer than 1 ms: the first decode is killed.
    const slow = new PocketsphinxSpotter({ timeoutMs: 1 });
    try {
      await expect(slow.spot(window('p01'), { text: 'alexa', kwsThreshold: 1e-20 })).rejects.toMatchObject({ code: 'KEYPHRASE_FAILED' });
      expect(slow.pids).toEqual([]);
    } finally {
      slow.close();
    }
  });

  test('missing pieces are reported, not thrown at random: no binary, a word the dictionary lacks, a bad phrase', async () => {
    const none = new PocketsphinxSpotter({ binary: 'no-such-pocketsphinx' });
    expect(none.unavailable()?.code).toBe('KEYPHRASE_UNAVAILABLE');
    await expect(none.spot(window('p01'), { text: 'alexa', kwsThreshold: 1e-20 })).rejects.toMatchObject({ code: 'KEYPHRASE_UNAVAILABLE' });
    await expect(spotter.spot(window('p01'), { text: 'qxzzyv', kwsThreshold: 1e-20 })).rejects.toMatchObject({ code: 'KEYPHRASE_UNAVAILABLE' });
    await expect(spotter.spot(window('p01'), { text: 'Alexa; rm', kwsThreshold: 1e-20 })).rejects.toMatchObject({ code: 'KEYPHRASE_FAILED' });
    await expect(spotter.choose(window('p01'), 'two words')).rejects.toMatchObject({ code: 'KEYPHRASE_FAILED' });
  });
});
