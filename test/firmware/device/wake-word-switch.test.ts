import type { StreamStart } from '../../../cloud-link/protocol/stream.js';
import { WakeWordRegistry, type HeadSpec } from '../../../models/wakeword/registry.js';
import { COMPUTER_AS_JARVIS, makeHeadsDir } from '../../support/test-heads.js';
import { bootDevice, demoAudio, disposeSharedModels, withQuiet, type TestDevice } from './harness.js';

/**
 * A room profile's WakeWord switches the running device's spotter: no restart, the ring buffer and
 * the spotter's feature history keep running, so a switch made just before a wake word spots it
 * exactly as a device that ran that word all along (same detection, same stream with the same
 * 500 ms pre-roll); and a switch asked for while LISTENING waits for the end of that request.
 */
describe('switching the wake word of a running device', () => {
  const heads = makeHeadsDir([COMPUTER_AS_JARVIS]);
  const registry = WakeWordRegistry.load({ headsDir: heads.dir });
  const audio = withQuiet(demoAudio(), 0.5, 2); // the demo's "Alexa" at 2.0-2.53 s
  const alexa: HeadSpec = registry.forWakeWord('ALEXA')!;
  const computer: HeadSpec = registry.forWakeWord('COMPUTER')!;
  const devices: TestDevice[] = [];
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.close();
  });
  afterAll(async () => {
    heads.remove();
    await disposeSharedModels();
  });

  async function boot(): Promise<TestDevice> {
    const td = await bootDevice({ wakeWords: registry });
    devices.push(td);
    await td.device.wakeWord!.prepare('COMPUTER'); // loads its head beside alexa's
    return td;
  }

  /** Feeds the audio in 80 ms frames, calling `at(index)` before each frame. */
  async function play(td: TestDevice, at: (index: number) => void | Promise<void> = () => undefined): Promise<void> {
    for (let i = 0; i < audio.length; i += 1280) {
      await at(i);
      await td.clock.advanceTo(Math.round((i / 16000) * 1000));
      await td.device.pushFrame({ index: i, channels: 1, samples: audio.slice(i, i + 1280) });
    }
    await td.device.endOfAudio();
  }

  const streamStarts = (td: TestDevice): Array<Pick<StreamStart, 'startIndex' | 'keyword' | 'wakeWordIndices' | 'preRoll'>> =>
    td.of('stream-start').map((s) => ({ startIndex: s.startIndex, keyword: s.keyword, wakeWordIndices: s.wakeWordIndices, preRoll: s.preRoll }));

  test('the device has a switch over its registry: every covered WakeWord, ALEXA running', async () => {
    const td = await boot();
    const sw = td.device.wakeWord!;
    expect(sw.supported).toEqual(['ALEXA', 'COMPUTER']);
    expect(sw.keywords).toEqual(['alexa']);
    expect(sw.wakeWord).toBe('ALEXA');
    await expect(sw.prepare('ECHO')).rejects.toMatchObject({ code: 'WAKE_WORD_UNSUPPORTED', hint: expect.stringContaining('ALEXA, COMPUTER') });
    expect(await sw.prepare('ALEXA')).toEqual(alexa);
    expect(await sw.prepare('COMPUTER')).toEqual(computer);
    expect(computer.keyword).toBe('computer');
    sw.request(alexa); // already running it: nothing happens
    expect(td.of('wake-word')).toEqual([]);
  });

  test('on COMPUTER the demo "Alexa" wakes nothing; switched to ALEXA 0.56 s before it, it wakes the device exactly as an ALEXA device', async () => {
    const reference = await boot();
    await play(reference);
    expect(streamStarts(reference)).toHaveLength(1);

    const td = await boot();
    td.device.wakeWord!.request(computer);
    expect(td.of('wake-word')).toEqual([{ keywords: ['computer'], wakeWord: 'COMPUTER', previous: ['alexa'], deferred: false, at: 0 }]);
    await play(td, (index) => {
      if (index === 18 * 1280) td.device.wakeWord!.request(alexa); // 1.44 s, before the word at 2.0 s
    });
    expect(td.of('wake-word').map((c) => [c.keywords, c.at])).toEqual([
      [['computer'], 0],
      [['alexa'], 1360], // device time: where the previous frame left the clock
    ]);
    expect(td.of('detection').map((d) => [d.keyword, d.beginIndex, d.endIndex, d.accepted])).toEqual(
      reference.of('detection').map((d) => [d.keyword, d.beginIndex, d.endIndex, d.accepted]),
    );
    expect(streamStarts(td)).toEqual(streamStarts(reference));
    expect(streamStarts(td)[0]!.preRoll).toEqual({ requestedSamples: 8000, availableSamples: 8000, complete: true });

    const silent = await boot();
    silent.device.wakeWord!.request(computer);
    await play(silent);
    expect(silent.of('stream-start')).toEqual([]);
  });

  test('asked for while LISTENING, the switch waits for the end of that request, and the stream keeps its word', async () => {
    const td = await boot();
    let asked = false;
    await play(td, () => {
      if (!asked && td.device.state === 'LISTENING') {
        asked = true;
        td.device.wakeWord!.request(computer);
        expect(td.device.wakeWord!.pendingKeyword).toBe('computer');
        expect(td.device.wakeWord!.keywords).toEqual(['alexa']);
      }
    });
    expect(asked).toBe(true);
    const [change] = td.of('wake-word');
    const left = td.of('state').find((t) => t.from === 'LISTENING')!;
    expect(change).toEqual({ keywords: ['computer'], wakeWord: 'COMPUTER', previous: ['alexa'], deferred: true, at: left.at });
    expect(td.of('stream-start').map((s) => s.keyword)).toEqual(['alexa']);
    expect(td.of('stream-end')[0]!.reason).toBe('end-of-speech');
    expect(td.device.wakeWord!.pendingKeyword).toBeUndefined();
  });

  test('a request for the running word cancels a switch that was waiting', async () => {
    const td = await boot();
    let asked = 0;
    await play(td, () => {
      if (td.device.state !== 'LISTENING' || asked > 1) return;
      td.device.wakeWord!.request(asked === 0 ? computer : alexa);
      asked++;
    });
    expect(asked).toBe(2);
    expect(td.of('wake-word')).toEqual([]);
    expect(td.device.wakeWord!.keywords).toEqual(['alexa']);
  });
});
