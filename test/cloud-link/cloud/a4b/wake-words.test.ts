import { WAKE_WORDS } from '../../../../cloud-link/protocol/room-profile.js';
import { WakeWordRegistry } from '../../../../models/wakeword/registry.js';
import { ARN_PREFIX } from '../../../../cloud-link/cloud/a4b/arn.js';
import { desiredChangedFor, expectA4bError, openHarness, PROFILE, type Harness } from './helpers.js';

/**
 * A room profile may select only a WakeWord some shipped wake-word model covers: anything else would
 * be refused by every device it reaches (WAKE_WORD_UNSUPPORTED) and leave the room at SYNC_NEEDED.
 */
let h: Harness;
afterEach(() => h.cleanup());

describe('WakeWords the API accepts', () => {
  const shipped = WakeWordRegistry.load().wakeWords;

  // Parametrised over the registry: a word becomes available the moment its head ships.
  test.each(WAKE_WORDS.map((w) => [w, shipped.includes(w)] as const))('by default, %s is accepted: %s (it is iff a shipped model covers it)', async (word, covered) => {
    h = openHarness({ wakeWords: undefined });
    const create = h.call('CreateProfile', { ...PROFILE, WakeWord: word });
    if (covered) {
      const { ProfileArn } = await create;
      expect((await h.call('GetProfile', { ProfileArn })).Profile.WakeWord).toBe(word);
    } else {
      await expectA4bError(create, 'ValidationException', new RegExp(`WakeWord: ${word} is not available: no wake-word model that ships with echosim covers it \\(available: .*ALEXA`));
    }
  });

  test('CreateProfile, UpdateProfile and FlashDevice refuse a word no model covers, and change nothing', async () => {
    h = openHarness({ wakeWords: ['ALEXA'] });
    await expectA4bError(h.call('CreateProfile', { ...PROFILE, WakeWord: 'COMPUTER' }), 'ValidationException', /^1 validation error detected: WakeWord: COMPUTER is not available.*\(available: ALEXA\)$/);
    expect((await h.call('SearchProfiles', {})).Profiles).toEqual([]);

    const { ProfileArn } = await h.call('CreateProfile', PROFILE);
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'Boardroom', ProfileArn });
    await h.call('RegisterDevice', { DeviceSerialNumber: 'DOT1', DeviceType: 'echo-dot-3', DeviceName: 'Dot 1', RoomArn });
    h.events.length = 0;
    await expectA4bError(h.call('UpdateProfile', { ProfileArn, WakeWord: 'ECHO', MaxVolumeLimit: 3 }), 'ValidationException', /WakeWord: ECHO is not available/);
    expect((await h.call('GetProfile', { ProfileArn })).Profile).toMatchObject({ WakeWord: 'ALEXA', MaxVolumeLimit: 7 });
    await expectA4bError(
      h.call('FlashDevice', { DeviceArn: `${ARN_PREFIX}device/DOT1`, RoomProfile: { ...PROFILE, WakeWord: 'AMAZON' } }),
      'ValidationException',
      /RoomProfile\.WakeWord: AMAZON is not available/,
    );
    expect(desiredChangedFor(h.events)).toEqual([]);
    expect(h.service.desiredStateFor('DOT1').roomProfile?.WakeWord).toBe('ALEXA');
  });

  test('a cloud that knows more heads accepts their words', async () => {
    h = openHarness({ wakeWords: ['ALEXA', 'COMPUTER'] });
    const { ProfileArn } = await h.call('CreateProfile', { ...PROFILE, WakeWord: 'COMPUTER' });
    await h.call('UpdateProfile', { ProfileArn, WakeWord: 'ALEXA' });
    expect((await h.call('GetProfile', { ProfileArn })).Profile.WakeWord).toBe('ALEXA');
  });
});
