import { AplayDriver } from '../../../hal/speaker/aplay.js';
import { NullSpeakerDriver } from '../../../hal/speaker/null.js';
import { openSpeaker } from '../../../hal/speaker/open.js';
import { WavSinkDriver } from '../../../hal/speaker/wav-sink.js';
import { tempDir } from '../mic/helpers.js';

const tmp = tempDir('echosim-speaker-open-');
afterAll(() => tmp.cleanup());

describe('openSpeaker', () => {
  test('none, alsa[:DEVICE], wav:FILE', async () => {
    expect(await openSpeaker('none')).toBeInstanceOf(NullSpeakerDriver);
    expect(await openSpeaker('alsa')).toBeInstanceOf(AplayDriver);
    expect(await openSpeaker('alsa:plughw:CARD=seeed2micvoicec,DEV=0')).toBeInstanceOf(AplayDriver);
    const wav = await openSpeaker(`wav:${tmp.file('x.wav')}`);
    expect(wav).toBeInstanceOf(WavSinkDriver);
    expect((wav as WavSinkDriver).path).toBe(tmp.file('x.wav'));
  });

  test('a missing aplay fails at open: SPEAKER_UNAVAILABLE', async () => {
    await expect(openSpeaker('alsa', { env: { ...process.env, PATH: tmp.dir } })).rejects.toMatchObject({
      code: 'SPEAKER_UNAVAILABLE',
      hint: expect.stringContaining('sudo apt install alsa-utils'),
    });
  });

  test.each(['', 'speaker', 'alsa:', 'wav:', 'wav'])('"%s" is CLI_ARGUMENT_INVALID', async (spec) => {
    await expect(openSpeaker(spec)).rejects.toMatchObject({ code: 'CLI_ARGUMENT_INVALID', hint: expect.stringContaining('wav:FILE') });
  });

  test('the null speaker takes sounds and counts them', async () => {
    const n = new NullSpeakerDriver();
    await n.play(new Int16Array(10), 16000, 0);
    expect(n.played).toBe(1);
    await expect(n.play(new Int16Array(10), -1, 0)).rejects.toMatchObject({ code: 'AUDIO_FORMAT_INVALID' });
  });
});
