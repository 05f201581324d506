import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { LocalFeatures } from '../../../firmware/features/index.js';
import { VirtualClock } from '../../../core/clock.js';
import { boot, flashBytes, HOUR, MIN, nextTurn, populate, T0, tempFlash } from './support.js';

describe('LocalFeatures: persistence', () => {
  const flash = tempFlash();

  test('a fresh device has the documented defaults', async () => {
    const { features } = await boot(flash.dir());
    expect(features.snapshot()).toEqual({
      notifications: { timers: [], alarms: [], ringing: [] },
      lists: { shopping: [], todo: [] },
      bluetooth: { connected: null, history: [] },
      volume: { level: 5 },
      settings: { doNotDisturb: false, earcons: { startOfRequest: false, endOfRequest: false }, timeZone: 'UTC', deviceName: 'Echo' },
    });
    expect(features.loadReport.corrupt).toEqual([]);
    expect(Object.values(features.loadReport.stores).every((s) => s.source === 'defaults')).toBe(true);
    await features.close();
  });

  test('every feature survives a restart, each in its own store file', async () => {
    const first = await boot(flash.dir());
    await populate(first.features);
    const before = first.features.snapshot();
    await first.features.close();
    const files = Object.keys(flashBytes(flash.dir()));
    expect(files.every((f) => /^features-(notifications|lists|bluetooth|volume|settings)\.[ab]\.json$/.test(f))).toBe(true);
    expect(new Set(files.map((f) => f.split('.')[0])).size).toBe(5);

    const second = await boot(flash.dir(), T0 + MIN);
    expect(second.features.snapshot()).toEqual(before);
    expect(second.features.loadReport.missed).toEqual([]);
    // Spot checks of what the snapshot says, so a wrong snapshot cannot pass by being wrong twice.
    expect(second.features.timers.list().map((t) => [t.label, t.dueAt])).toEqual([
      ['pasta', T0 + 10 * MIN],
      [undefined, T0 + 2 * HOUR],
    ]);
    expect(second.features.alarms.list().map((a) => [a.time, a.repeat, a.dueAt])).toEqual([
      ['18:30', 'once', Date.UTC(2026, 0, 5, 18, 30)],
      ['07:00', 'weekdays', Date.UTC(2026, 0, 6, 7, 0)],
    ]);
    expect(second.features.lists.items('shopping').map((i) => [i.text, i.completed])).toEqual([
      ['milk', false],
      ['bread', true],
    ]);
    expect(second.features.bluetooth.connected()?.name).toBe('Phone');
    expect(second.features.bluetooth.history().map((d) => d.address)).toEqual(['AA:BB:CC:DD:EE:01', 'AA:BB:CC:DD:EE:02']);
    expect(second.features.volume.get()).toBe(8);
    expect(second.features.settings.get()).toMatchObject({ doNotDisturb: true, earcons: { startOfRequest: true, endOfRequest: false } });
    await second.features.close();
  });

  test('mutations resolve once on flash, emit changed, and concurrent ones never lose each other', async () => {
    const { features } = await boot(flash.dir());
    const changed: string[] = [];
    features.on('changed', ({ feature }) => changed.push(feature));
    const added = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((t) => features.lists.add('todo', t)));
    expect(new Set(added.map((i) => i.id)).size).toBe(5);
    await features.volume.set(3);
    expect(changed).toEqual(['lists', 'lists', 'lists', 'lists', 'lists', 'volume']);
    // Read the flash directly, as a restart would, without closing (no pending writes are waited for).
    const reread = await boot(flash.dir());
    expect(reread.features.lists.items('todo').map((i) => i.text)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(reread.features.volume.get()).toBe(3);
    await reread.features.close();
    await features.close();
  });

  test('a corrupt slot is reported and the other (last good) slot is used; other stores are untouched', async () => {
    const first = await boot(flash.dir());
    await first.features.lists.add('shopping', 'milk'); // slot a
    await first.features.lists.add('shopping', 'eggs'); // slot b, newest
    await first.features.volume.set(7);
    await first.features.close();
    writeFileSync(path.join(flash.dir(), 'features-lists.b.json'), 'garbage \u0000\u00ff not json');

    const second = await boot(flash.dir());
    const events: unknown[] = [];
    second.features.on('storage-corrupt', (c) => events.push(c));
    await nextTurn();
    const expected = { store: 'lists', slot: 'b', reason: 'not valid JSON (torn or overwritten)' };
    expect(events).toEqual([expected]);
    expect(second.features.loadReport.corrupt).toEqual([expected]);
    expect(second.features.loadReport.stores.lists).toEqual({ source: 'a', seq: 1 });
    expect(second.features.lists.items('shopping').map((i) => i.text)).toEqual(['milk']);
    expect(second.features.volume.get()).toBe(7);

    // Carrying on: the next save goes to the bad slot and repairs it.
    await second.features.lists.add('shopping', 'butter');
    await second.features.close();
    const third = await boot(flash.dir());
    expect(third.features.loadReport.corrupt).toEqual([]);
    expect(third.features.lists.items('shopping').map((i) => i.text)).toEqual(['milk', 'butter']);
    await third.features.close();
  });

  test('the corrupt-slot warning says whether the last good copy or the defaults were used', async () => {
    const first = await boot(flash.dir());
    await first.features.lists.add('shopping', 'milk'); // slot a
    await first.features.lists.add('shopping', 'eggs'); // slot b
    await first.features.volume.set(7); // volume slot a only
    await first.features.close();
    writeFileSync(path.join(flash.dir(), 'features-lists.b.json'), 'garbage');
    writeFileSync(path.join(flash.dir(), 'features-volume.a.json'), 'garbage');
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString()), done()) }));
    const again = await LocalFeatures.open({ dir: flash.dir(), clock: new VirtualClock(0, T0), log });
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg).sort();
    expect(messages).toEqual([
      'feature store lists: slot b is unusable (not valid JSON (torn or overwritten)); using slot a, the last good copy',
      'feature store volume: slot a is unusable (not valid JSON (torn or overwritten)) and no good copy is left; using the defaults',
    ]);
    expect(again.volume.get()).toBe(5); // the default, as the line says
    await again.close();
  });

  test('after close() mutations are refused and nothing is written', async () => {
    const { features } = await boot(flash.dir());
    await features.close();
    const bytes = flashBytes(flash.dir());
    await expect(features.volume.set(2)).rejects.toMatchObject({ code: 'DEVICE_NOT_RUNNING' });
    expect(flashBytes(flash.dir())).toEqual(bytes);
  });
});

describe('LocalFeatures: invalid input changes nothing', () => {
  const flash = tempFlash();
  let features: LocalFeatures;
  beforeEach(async () => {
    ({ features } = await boot(flash.dir()));
    await populate(features);
  });
  afterEach(() => features.close());

  const cases: Array<[string, string, (f: LocalFeatures) => Promise<unknown>]> = [
    ['timer of 0 ms', 'FEATURE_INPUT_INVALID', (f) => f.timers.add({ durationMs: 0 })],
    ['timer of 25 h', 'FEATURE_INPUT_INVALID', (f) => f.timers.add({ durationMs: 25 * HOUR })],
    ['fractional timer', 'FEATURE_INPUT_INVALID', (f) => f.timers.add({ durationMs: 60_000.5 })],
    ['timer label too long', 'FEATURE_INPUT_INVALID', (f) => f.timers.add({ durationMs: MIN, label: 'x'.repeat(101) })],
    ['timer with unknown key', 'FEATURE_INPUT_INVALID', (f) => f.timers.add({ durationMs: MIN, repeat: true } as never)],
    ['unknown timer', 'FEATURE_NOT_FOUND', (f) => f.timers.cancel('timer-999')],
    ['alarm at 24:00', 'FEATURE_INPUT_INVALID', (f) => f.alarms.add({ time: '24:00', repeat: 'daily' })],
    ['alarm at 7:00', 'FEATURE_INPUT_INVALID', (f) => f.alarms.add({ time: '7:00', repeat: 'daily' })],
    ['monthly alarm', 'FEATURE_INPUT_INVALID', (f) => f.alarms.add({ time: '07:00', repeat: 'monthly' as never })],
    ['snooze of 0 minutes', 'FEATURE_INPUT_INVALID', (f) => f.alarms.snooze('alarm-3', 0)],
    ['snooze of an alarm not ringing', 'FEATURE_INPUT_INVALID', (f) => f.alarms.snooze('alarm-3')],
    ['dismiss unknown alarm', 'FEATURE_NOT_FOUND', (f) => f.alarms.dismiss('alarm-404')],
    ['cancel unknown alarm', 'FEATURE_NOT_FOUND', (f) => f.alarms.cancel('nope')],
    ['unknown list', 'FEATURE_INPUT_INVALID', (f) => f.lists.add('groceries' as never, 'milk')],
    ['blank item', 'FEATURE_INPUT_INVALID', (f) => f.lists.add('shopping', '   ')],
    ['257-character item', 'FEATURE_INPUT_INVALID', (f) => f.lists.add('shopping', 'x'.repeat(257))],
    ['complete unknown item', 'FEATURE_NOT_FOUND', (f) => f.lists.complete('todo', 'item-999')],
    ['remove item from the wrong list', 'FEATURE_NOT_FOUND', (f) => f.lists.remove('todo', 'item-1')],
    ['short address', 'FEATURE_INPUT_INVALID', (f) => f.bluetooth.pair({ address: 'AA:BB:CC:DD:EE', name: 'x' })],
    ['non-hex address', 'FEATURE_INPUT_INVALID', (f) => f.bluetooth.pair({ address: 'GG:BB:CC:DD:EE:FF', name: 'x' })],
    ['blank device name', 'FEATURE_INPUT_INVALID', (f) => f.bluetooth.pair({ address: 'AA:BB:CC:DD:EE:09', name: ' ' })],
    ['connect unpaired', 'FEATURE_NOT_FOUND', (f) => f.bluetooth.connect('11:22:33:44:55:66')],
    ['forget unpaired', 'FEATURE_NOT_FOUND', (f) => f.bluetooth.forget('11:22:33:44:55:66')],
    ['volume 11', 'FEATURE_INPUT_INVALID', (f) => f.volume.set(11)],
    ['volume -1', 'FEATURE_INPUT_INVALID', (f) => f.volume.set(-1)],
    ['volume 2.5', 'FEATURE_INPUT_INVALID', (f) => f.volume.set(2.5)],
    ['volume NaN', 'FEATURE_INPUT_INVALID', (f) => f.volume.set(Number.NaN)],
    ['unknown time zone', 'FEATURE_INPUT_INVALID', (f) => f.setTimeZone('Mars/Olympus_Mons')],
    ['one-letter device name', 'FEATURE_INPUT_INVALID', (f) => f.settings.set({ deviceName: 'x' })],
    ['non-boolean DND', 'FEATURE_INPUT_INVALID', (f) => f.settings.set({ doNotDisturb: 'yes' as never })],
    ['misspelt setting', 'FEATURE_INPUT_INVALID', (f) => f.settings.set({ doNotDisturbe: true } as never)],
    ['unknown reset feature', 'RESET_FEATURE_INVALID', (f) => f.reset(['BLUETOOTH', 'FIRMWARE'])],
    ['lower-case reset feature', 'RESET_FEATURE_INVALID', (f) => f.reset(['volume'])],
    ['empty reset', 'RESET_FEATURE_INVALID', (f) => f.reset([])],
  ];

  test.each(cases)('%s -> %s', async (_name, code, call) => {
    const snapshot = features.snapshot();
    const bytes = flashBytes(flash.dir());
    const changed: unknown[] = [];
    features.on('changed', (c) => changed.push(c));
    const err = await call(features).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code, hint: expect.stringContaining('Nothing was') });
    await features.whenIdle();
    expect(features.snapshot()).toEqual(snapshot);
    expect(flashBytes(flash.dir())).toEqual(bytes);
    expect(changed).toEqual([]);
  });

  test('a 101st list item exceeds the limit and changes nothing', async () => {
    for (let i = features.lists.items('todo').length; i < 100; i++) await features.lists.add('todo', `task ${i}`);
    const snapshot = features.snapshot();
    const bytes = flashBytes(flash.dir());
    await expect(features.lists.add('todo', 'one too many')).rejects.toMatchObject({ code: 'FEATURE_LIMIT_EXCEEDED' });
    expect(features.snapshot()).toEqual(snapshot);
    expect(flashBytes(flash.dir())).toEqual(bytes);
    // The other list has its own limit.
    await expect(features.lists.add('shopping', 'still fine')).resolves.toMatchObject({ text: 'still fine' });
  });
});

describe('LocalFeatures: lists, bluetooth, volume, settings behaviour', () => {
  const flash = tempFlash();

  test('lists: add trims, complete is idempotent, remove returns the item', async () => {
    const { features, clock } = await boot(flash.dir());
    const milk = await features.lists.add('shopping', '  oat milk  ');
    expect(milk).toEqual({ id: 'item-1', text: 'oat milk', completed: false, createdAt: T0, completedAt: null });
    await clock.advance(MIN);
    await features.lists.complete('shopping', milk.id);
    await clock.advance(MIN);
    const again = await features.lists.complete('shopping', milk.id);
    expect(again).toMatchObject({ completed: true, completedAt: T0 + MIN });
    await expect(features.lists.remove('shopping', milk.id)).resolves.toMatchObject({ text: 'oat milk' });
    expect(features.lists.items('shopping')).toEqual([]);
    await features.close();
  });

  test('bluetooth: most recent first, capped at 16 (oldest dropped), forget disconnects', async () => {
    const { features } = await boot(flash.dir());
    const addr = (i: number) => `00:11:22:33:44:${i.toString(16).padStart(2, '0').toUpperCase()}`;
    await features.bluetooth.pair({ address: addr(0), name: 'Speaker 0' });
    await features.bluetooth.connect(addr(0));
    for (let i = 1; i <= 16; i++) await features.bluetooth.pair({ address: addr(i), name: `Device ${i}` });
    const history = features.bluetooth.history();
    expect(history).toHaveLength(16);
    expect(history[0]!.address).toBe(addr(16));
    expect(history.map((d) => d.address)).not.toContain(addr(0));
    // The connected device fell out of the history, so it is no longer connected.
    expect(features.bluetooth.connected()).toBeNull();

    await features.bluetooth.connect(addr(1));
    expect(features.bluetooth.history()[0]!.address).toBe(addr(1));
    expect(await features.bluetooth.forget(addr(1))).toMatchObject({ name: 'Device 1' });
    expect(features.bluetooth.connected()).toBeNull();
    expect(await features.bluetooth.disconnect()).toBeNull();
    await features.close();
  });

  test('volume and settings: set and get, partial earcon updates, canonical time zone', async () => {
    const { features } = await boot(flash.dir());
    expect(features.volume.get()).toBe(5);
    await expect(features.volume.set(0)).resolves.toBe(0);
    await features.settings.set({ earcons: { endOfRequest: true } });
    const s = await features.settings.set({ timeZone: 'utc', deviceName: '  Lobby  ' });
    expect(s).toEqual({ doNotDisturb: false, earcons: { startOfRequest: false, endOfRequest: true }, timeZone: 'UTC', deviceName: 'Lobby' });
    expect(features.settings.get()).toEqual(s);
    await features.close();
  });
});
