import type { FeaturesSnapshot, LocalResetFeature, ResetReport } from '../../../firmware/features/index.js';
import { boot, defaultSnapshot, flashBytes, MIN, populate, T0, tempFlash } from './support.js';

const KEY: Record<LocalResetFeature, keyof FeaturesSnapshot> = {
  NOTIFICATIONS: 'notifications',
  LISTS: 'lists',
  BLUETOOTH: 'bluetooth',
  VOLUME: 'volume',
  SETTINGS: 'settings',
};

describe('reset by feature (StartDeviceSync)', () => {
  const flash = tempFlash();
  let defaults: FeaturesSnapshot;
  beforeAll(async () => {
    defaults = await defaultSnapshot();
  });

  test.each(Object.keys(KEY) as LocalResetFeature[])('%s clears exactly its own state, on flash too', async (feature) => {
    const { features } = await boot(flash.dir());
    await populate(features);
    const before = features.snapshot();
    for (const key of Object.values(KEY)) expect(before[key]).not.toEqual(defaults[key]);
    const events: ResetReport[] = [];
    const changed: string[] = [];
    features.on('reset', (r) => events.push(r));
    features.on('changed', (c) => changed.push(c.feature));

    const report = await features.reset([feature]);
    expect(report).toEqual({ cleared: [feature], notApplicable: [] });
    expect(events).toEqual([report]);
    expect(changed).toEqual([KEY[feature]]);
    const after = features.snapshot();
    for (const key of Object.values(KEY)) expect(after[key]).toEqual(key === KEY[feature] ? defaults[key] : before[key]);
    await features.close();

    const reopened = await boot(flash.dir(), T0 + MIN);
    expect(reopened.features.snapshot()).toEqual(after);
    await reopened.features.close();
  });

  test('ALL clears every local feature and hands SKILLS and NETWORK_PROFILE to the cloud link', async () => {
    const { clock, features } = await boot(flash.dir());
    await populate(features);
    const report = await features.reset(['ALL']);
    expect(report).toEqual({
      cleared: ['NOTIFICATIONS', 'LISTS', 'BLUETOOTH', 'VOLUME', 'SETTINGS'],
      notApplicable: ['SKILLS', 'NETWORK_PROFILE'],
    });
    expect(features.snapshot()).toEqual(defaults);
    expect(clock.pending).toBe(0);
    await features.close();
    const reopened = await boot(flash.dir(), T0 + MIN);
    expect(reopened.features.snapshot()).toEqual(defaults);
    await reopened.features.close();
  });

  test('SKILLS and NETWORK_PROFILE alone change nothing here; duplicates and order do not matter', async () => {
    const { features } = await boot(flash.dir());
    await populate(features);
    const before = features.snapshot();
    const bytes = flashBytes(flash.dir());
    await expect(features.reset(['NETWORK_PROFILE', 'SKILLS', 'SKILLS'])).resolves.toEqual({
      cleared: [],
      notApplicable: ['SKILLS', 'NETWORK_PROFILE'],
    });
    expect(features.snapshot()).toEqual(before);
    expect(flashBytes(flash.dir())).toEqual(bytes);
    await expect(features.reset(['VOLUME', 'LISTS', 'VOLUME'])).resolves.toEqual({ cleared: ['LISTS', 'VOLUME'], notApplicable: [] });
    const after = features.snapshot();
    expect(after.volume).toEqual({ level: 5 });
    expect(after.lists).toEqual(defaults.lists);
    expect({ ...after, volume: before.volume, lists: before.lists }).toEqual(before);
    await features.close();
  });

  test('an unknown name rejects the whole request before anything is reset', async () => {
    const { features } = await boot(flash.dir());
    await populate(features);
    const before = features.snapshot();
    const bytes = flashBytes(flash.dir());
    await expect(features.reset(['VOLUME', 'CONTACTS'])).rejects.toMatchObject({
      code: 'RESET_FEATURE_INVALID',
      details: { unknown: ['CONTACTS'] },
    });
    expect(features.snapshot()).toEqual(before);
    expect(flashBytes(flash.dir())).toEqual(bytes);
    await features.close();
  });

  test('SETTINGS with a non-UTC zone: the zone returns to UTC and alarms keep their wall time in it', async () => {
    const { features } = await boot(flash.dir()); // Monday 2026-01-05 09:00Z
    await populate(features);
    await features.setTimeZone('America/New_York');
    const before = features.snapshot();
    expect(before.notifications.alarms.map((a) => [a.time, a.dueAt])).toEqual([
      ['07:00', Date.UTC(2026, 0, 5, 12, 0)],
      ['18:30', Date.UTC(2026, 0, 5, 23, 30)],
    ]);
    await features.reset(['SETTINGS']);
    const after = features.snapshot();
    expect(after.settings).toEqual(defaults.settings);
    // Same alarms, same wall times, now anchored to UTC; timers and everything else untouched.
    expect(after.notifications.alarms.map((a) => [a.id, a.time, a.dueAt])).toEqual([
      ['alarm-4', '18:30', Date.UTC(2026, 0, 5, 18, 30)],
      ['alarm-3', '07:00', Date.UTC(2026, 0, 6, 7, 0)],
    ]);
    expect(after.notifications.timers).toEqual(before.notifications.timers);
    expect({ lists: after.lists, bluetooth: after.bluetooth, volume: after.volume }).toEqual({
      lists: before.lists,
      bluetooth: before.bluetooth,
      volume: before.volume,
    });
    await features.close();
  });
});
