import type { AlarmFired, MissedItem, TimerFired } from '../../../firmware/features/index.js';
import type { LocalFeatures } from '../../../firmware/features/index.js';
import { NotificationsStateSchema } from '../../../firmware/features/notifications-schema.js';
import { DeviceSettingsSchema, defaultDeviceSettings } from '../../../firmware/features/device-settings.js';
import { SettingsStore } from '../../../core/settings-store.js';
import { boot, DAY, HOUR, MIN, nextTurn, T0, tempFlash } from './support.js';

/** Local 'HH:MM' of an instant in a zone, as a person in that room would read the clock. */
function wallClock(epochMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(epochMs);
}

function record(features: LocalFeatures): { timers: TimerFired[]; alarms: AlarmFired[]; missed: MissedItem[] } {
  const out = { timers: [] as TimerFired[], alarms: [] as AlarmFired[], missed: [] as MissedItem[] };
  features.on('timer-fired', (e) => out.timers.push(e));
  features.on('alarm-fired', (e) => out.alarms.push(e));
  features.on('missed', (e) => out.missed.push(e));
  return out;
}

describe('timers', () => {
  const flash = tempFlash();

  test('a timer fires exactly when due, once, and its removal is persisted', async () => {
    const { clock, features } = await boot(flash.dir());
    const fired = record(features);
    const timer = await features.timers.add({ durationMs: 90_000, label: 'tea' });
    expect(timer).toEqual({ id: 'timer-1', label: 'tea', durationMs: 90_000, dueAt: T0 + 90_000, createdAt: T0 });
    await clock.advance(89_999);
    expect(fired.timers).toEqual([]);
    await clock.advance(1);
    expect(fired.timers).toEqual([{ timer, at: T0 + 90_000 }]);
    await features.whenIdle();
    expect(features.timers.list()).toEqual([]);
    await clock.advance(HOUR);
    expect(fired.timers).toHaveLength(1);
    await features.close();
    const after = await boot(flash.dir(), T0 + 2 * HOUR);
    expect(after.features.timers.list()).toEqual([]);
    expect(after.features.loadReport.missed).toEqual([]);
    await after.features.close();
  });

  test('set for 10 min, restart after 2 min: it keeps its due time and fires 8 min after the restart', async () => {
    const first = await boot(flash.dir());
    const timer = await first.features.timers.add({ durationMs: 10 * MIN });
    await first.clock.advance(2 * MIN);
    await first.features.close();

    const second = await boot(flash.dir(), T0 + 2 * MIN);
    const fired = record(second.features);
    expect(second.features.timers.list()).toEqual([timer]);
    await second.clock.advance(8 * MIN - 1);
    expect(fired.timers).toEqual([]);
    await second.clock.advance(1);
    expect(fired.timers).toEqual([{ timer, at: T0 + 10 * MIN }]);
    expect(second.clock.now()).toBe(8 * MIN);
    await nextTurn();
    expect(fired.missed).toEqual([]);
    await second.features.close();
  });

  test('a timer that expired while the device was off is reported missed once and removed', async () => {
    const first = await boot(flash.dir());
    const expired = await first.features.timers.add({ durationMs: 5 * MIN, label: 'eggs' });
    const pending = await first.features.timers.add({ durationMs: 30 * MIN });
    await first.features.close();

    const second = await boot(flash.dir(), T0 + 20 * MIN);
    const seen = record(second.features);
    await nextTurn();
    expect(seen.missed).toEqual([{ kind: 'timer', item: expired }]);
    expect(second.features.loadReport.missed).toEqual([{ kind: 'timer', item: expired }]);
    expect(second.features.timers.list()).toEqual([pending]);
    await second.clock.advance(10 * MIN);
    expect(seen.timers).toEqual([{ timer: pending, at: T0 + 30 * MIN }]);
    await second.features.close();

    const third = await boot(flash.dir(), T0 + 40 * MIN);
    const again = record(third.features);
    await nextTurn();
    expect(again.missed).toEqual([]);
    expect(third.features.timers.list()).toEqual([]);
    await third.features.close();
  });

  test('only the nearest item holds a clock timer; cancelling re-arms for the next one', async () => {
    const { clock, features } = await boot(flash.dir());
    const fired = record(features);
    const a = await features.timers.add({ durationMs: 5 * MIN });
    const b = await features.timers.add({ durationMs: 3 * MIN });
    await features.alarms.add({ time: '10:00', repeat: 'once' });
    expect(clock.pending).toBe(1);
    await features.timers.cancel(b.id);
    await clock.advance(5 * MIN);
    expect(fired.timers.map((f) => [f.timer.id, f.at])).toEqual([[a.id, T0 + 5 * MIN]]);
    await features.close();
    expect(clock.pending).toBe(0);
  });
});

describe('alarms', () => {
  const flash = tempFlash();

  test('Europe/Berlin: a daily 07:00 alarm rings at 07:00 local across the spring-forward night', async () => {
    const { clock, features } = await boot(flash.dir(), Date.UTC(2026, 2, 27, 12, 0)); // Friday
    const fired = record(features);
    await features.setTimeZone('Europe/Berlin');
    const alarm = await features.alarms.add({ time: '07:00', repeat: 'daily' });
    expect(alarm.dueAt).toBe(Date.UTC(2026, 2, 28, 6, 0));
    await clock.advance(3 * DAY);
    expect(fired.alarms.map((f) => f.at)).toEqual([
      Date.UTC(2026, 2, 28, 6, 0), // Sat, CET (+1)
      Date.UTC(2026, 2, 29, 5, 0), // Sun, the 23-hour day, CEST (+2)
      Date.UTC(2026, 2, 30, 5, 0),
    ]);
    expect(fired.alarms.map((f) => wallClock(f.at, 'Europe/Berlin'))).toEqual(['07:00', '07:00', '07:00']);
    await features.whenIdle();
    expect(features.alarms.list()[0]!.dueAt).toBe(Date.UTC(2026, 2, 31, 5, 0));
    await features.close();
  });

  test('Europe/Berlin: a weekday alarm skips the weekend and the fall-back Sunday, then rings at 07:00 CET', async () => {
    const { clock, features } = await boot(flash.dir(), Date.UTC(2026, 9, 22, 20, 0)); // Thursday evening
    const fired = record(features);
    await features.setTimeZone('Europe/Berlin');
    await features.alarms.add({ time: '07:00', repeat: 'weekdays' });
    await clock.advance(5 * DAY);
    expect(fired.alarms.map((f) => f.at)).toEqual([
      Date.UTC(2026, 9, 23, 5, 0), // Fri, CEST
      Date.UTC(2026, 9, 26, 6, 0), // Mon after the 25-hour Sunday, CET
      Date.UTC(2026, 9, 27, 6, 0), // Tue
    ]);
    await features.close();
  });

  test('America/New_York: daily 07:00 across the fall-back night, and a one-shot in the overlap rings once', async () => {
    const { clock, features } = await boot(flash.dir(), Date.UTC(2026, 9, 31, 4, 0)); // Oct 31, 00:00 EDT
    const fired = record(features);
    await features.setTimeZone('America/New_York');
    const daily = await features.alarms.add({ time: '07:00', repeat: 'daily' });
    const overlap = await features.alarms.add({ time: '01:30', repeat: 'once', label: 'twice-happening time' });
    expect(overlap.dueAt).toBe(Date.UTC(2026, 9, 31, 5, 30)); // Oct 31 01:30 EDT comes first
    await clock.advance(DAY);
    expect(fired.alarms.map((f) => [f.alarm.id, f.at])).toEqual([
      [overlap.id, Date.UTC(2026, 9, 31, 5, 30)],
      [daily.id, Date.UTC(2026, 9, 31, 11, 0)], // EDT
    ]);
    await clock.advance(2 * DAY);
    expect(fired.alarms.slice(2).map((f) => f.at)).toEqual([
      Date.UTC(2026, 10, 1, 12, 0), // Nov 1, EST
      Date.UTC(2026, 10, 2, 12, 0),
    ]);
    expect(fired.alarms.map((f) => wallClock(f.at, 'America/New_York'))).toEqual(['01:30', '07:00', '07:00', '07:00']);
    await features.close();
  });

  test('changing the time zone keeps the wall time and moves the instant; persisted for the next boot', async () => {
    const { features } = await boot(flash.dir()); // Monday 09:00Z
    const alarm = await features.alarms.add({ time: '07:00', repeat: 'once' });
    expect(alarm.dueAt).toBe(Date.UTC(2026, 0, 6, 7, 0));
    await features.setTimeZone('America/New_York');
    expect(features.alarms.list()[0]!.dueAt).toBe(Date.UTC(2026, 0, 5, 12, 0)); // 07:00 EST today is still ahead
    await features.settings.set({ timeZone: 'Europe/Berlin' });
    expect(features.alarms.list()[0]!.dueAt).toBe(Date.UTC(2026, 0, 6, 6, 0));
    await features.close();
    const again = await boot(flash.dir(), T0 + MIN);
    expect(again.features.settings.get().timeZone).toBe('Europe/Berlin');
    expect(again.features.alarms.list()[0]!.dueAt).toBe(Date.UTC(2026, 0, 6, 6, 0));
    await again.features.close();
  });

  test('a zone change saved to settings just before a power cut is applied to the alarms at the next boot', async () => {
    const first = await boot(flash.dir());
    await first.features.alarms.add({ time: '07:00', repeat: 'daily' });
    await first.features.close();
    // The settings write landed, the alarms' recompute did not.
    const settings = new SettingsStore(flash.dir(), 'features-settings', DeviceSettingsSchema, defaultDeviceSettings);
    settings.load();
    await settings.save({ ...defaultDeviceSettings(), timeZone: 'Europe/Berlin' });

    const second = await boot(flash.dir(), T0 + MIN);
    expect(second.features.alarms.list()[0]!.dueAt).toBe(Date.UTC(2026, 0, 6, 6, 0));
    await second.features.close();
    const notifications = new SettingsStore(flash.dir(), 'features-notifications', NotificationsStateSchema, () => {
      throw new Error('expected a stored state');
    });
    expect(notifications.load().value).toMatchObject({ timeZone: 'Europe/Berlin', alarms: [{ dueAt: Date.UTC(2026, 0, 6, 6, 0) }] });
  });

  test('a one-shot alarm rings, is removed, can be snoozed back for 9 minutes, then dismissed', async () => {
    const { clock, features } = await boot(flash.dir());
    const fired = record(features);
    const alarm = await features.alarms.add({ time: '09:30', repeat: 'once', label: 'stand-up' });
    await clock.advance(30 * MIN);
    expect(fired.alarms).toEqual([{ alarm, at: T0 + 30 * MIN }]);
    await features.whenIdle();
    expect(features.alarms.list()).toEqual([]);
    expect(features.snapshot().notifications.ringing).toEqual([alarm.id]);

    await clock.advance(MIN);
    const snoozed = await features.alarms.snooze(alarm.id);
    expect(snoozed).toEqual({ ...alarm, dueAt: T0 + 40 * MIN, snoozed: true });
    expect(features.alarms.ringing()).toEqual([]);
    await clock.advance(9 * MIN);
    expect(fired.alarms.map((f) => f.at)).toEqual([T0 + 30 * MIN, T0 + 40 * MIN]);
    await expect(features.alarms.dismiss(alarm.id)).resolves.toBeNull();
    await features.whenIdle();
    expect(features.snapshot().notifications).toEqual({ timers: [], alarms: [], ringing: [] });
    await features.close();
  });

  test('a repeating alarm snoozed for 5 minutes keeps its schedule; dismissing an upcoming one skips it', async () => {
    const { clock, features } = await boot(flash.dir());
    const fired = record(features);
    const alarm = await features.alarms.add({ time: '10:00', repeat: 'daily' });
    await clock.advance(HOUR);
    await features.alarms.snooze(alarm.id, 5);
    await clock.advance(5 * MIN);
    await features.alarms.dismiss(alarm.id); // ringing -> just stops
    await features.whenIdle();
    expect(features.alarms.list()).toEqual([{ ...alarm, dueAt: T0 + DAY + HOUR, snoozed: false }]);
    const skipped = await features.alarms.dismiss(alarm.id); // upcoming -> skip tomorrow
    expect(skipped?.dueAt).toBe(T0 + 2 * DAY + HOUR);
    await clock.advance(2 * DAY);
    expect(fired.alarms.map((f) => f.at)).toEqual([T0 + HOUR, T0 + HOUR + 5 * MIN, T0 + 2 * DAY + HOUR]);
    await features.alarms.cancel(alarm.id);
    expect(features.alarms.list()).toEqual([]);
    expect(features.alarms.ringing()).toEqual([]);
    await features.close();
  });

  test('alarms that came due while off are reported missed; repeating ones move to their next occurrence', async () => {
    const first = await boot(flash.dir()); // Monday 09:00Z
    const once = await first.features.alarms.add({ time: '10:00', repeat: 'once' });
    const weekdays = await first.features.alarms.add({ time: '11:00', repeat: 'weekdays' });
    const later = await first.features.alarms.add({ time: '20:00', repeat: 'daily' });
    await first.features.close();

    const second = await boot(flash.dir(), Date.UTC(2026, 0, 5, 12, 0)); // back at noon
    const seen = record(second.features);
    await nextTurn();
    expect(seen.missed).toEqual([
      { kind: 'alarm', item: once },
      { kind: 'alarm', item: weekdays },
    ]);
    await second.features.whenIdle();
    expect(second.features.alarms.list()).toEqual([
      later,
      { ...weekdays, dueAt: Date.UTC(2026, 0, 6, 11, 0) },
    ]);
    await second.features.close();
  });

  test('reset NOTIFICATIONS clears timers, alarms, ringing and the pending clock timer', async () => {
    const { clock, features } = await boot(flash.dir());
    const fired = record(features);
    await features.timers.add({ durationMs: 10 * MIN });
    const alarm = await features.alarms.add({ time: '09:05', repeat: 'daily' });
    await clock.advance(5 * MIN);
    expect(features.alarms.ringing().map((a) => a.id)).toEqual([alarm.id]);
    expect(clock.pending).toBe(1);
    await features.reset(['NOTIFICATIONS']);
    expect(clock.pending).toBe(0);
    expect(features.snapshot().notifications).toEqual({ timers: [], alarms: [], ringing: [] });
    await clock.advance(2 * DAY);
    expect(fired.timers).toEqual([]);
    expect(fired.alarms).toHaveLength(1);
    // Ids are not reused after a reset.
    expect((await features.timers.add({ durationMs: MIN })).id).toBe('timer-3');
    await features.close();
  });
});
