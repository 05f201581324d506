/** Buttons, volume, setup mode, notifications and reset on a device running on a virtual clock. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WavSinkDriver } from '../../../hal/speaker/wav-sink.js';
import { ArraySource, bootDevice, disposeSharedModels, hex, withQuiet, type TestDevice } from './harness.js';

afterAll(disposeSharedModels);

const quiet = (seconds: number): ArraySource => new ArraySource(withQuiet(new Int16Array(0), 0, seconds), 1);
const WHITE = '#ffffff';

describe('device controls', () => {
  let td: TestDevice;
  afterEach(async () => td.close());

  test('volume buttons step the level, show a white arc of that length, persist, and respect MaxVolumeLimit', async () => {
    td = await bootDevice();
    await td.run(quiet(3), '0.2:volume-up,0.5:volume-up');
    expect(td.of('volume').map((v) => v.level)).toEqual([6, 7]);
    // 7 of 10 on 12 LEDs: round(8.4) = 8 white LEDs, from the front going clockwise.
    const arc = td.leds.at(700)!.leds.map(hex);
    expect(arc.filter((c) => c === WHITE)).toHaveLength(8);
    expect([0, 11, 10, 9, 8, 7, 6, 5].every((i) => arc[i] === WHITE)).toBe(true);
    // The arc goes away after 1.5 s.
    expect(td.leds.at(2500)!.leds.map(hex).filter((c) => c === WHITE)).toHaveLength(0);

    td = await td.restart();
    expect(td.device.speaker.volume).toBe(7);
    td.device.setMaxVolumeLimit(6);
    expect(td.device.speaker.volume).toBe(6);
    await td.run(quiet(1), '0.2:volume-up');
    expect(td.of('volume').at(-1)).toMatchObject({ level: 6, clamped: true });
  });

  test('holding action 7 s enters setup (orange); a click leaves it; SetupModeDisabled refuses it', async () => {
    td = await bootDevice();
    await td.run(quiet(12), '1:action:8,10.5:action');
    expect(td.states()).toEqual(['IDLE', 'SETUP', 'IDLE']);
    const setup = td.of('state')[1]!;
    expect(setup).toMatchObject({ input: 'SETUP_REQUESTED', at: 8000 });
    const orange = td.leds.at(9000)!.leds.filter((c) => c.r > 150 && c.g > 40 && c.g < 200 && c.b < 30);
    expect(orange.length).toBeGreaterThanOrEqual(1);
    await td.close();

    td = await bootDevice({ setupModeDisabled: true });
    await td.run(quiet(10), '1:action:8');
    expect(td.states()).toEqual(['IDLE']);
    expect(td.of('refused')).toEqual([expect.objectContaining({ code: 'SETUP_MODE_DISABLED' })]);
  });

  test('a timer rings with a chime on the speaker and a yellow pulse until the action button dismisses it', async () => {
    // The speaker's WAV goes in the device's flash directory, so closing the device removes it.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'echosim-device-'));
    td = await bootDevice({ dataDir, ownsDataDir: true, speaker: new WavSinkDriver(path.join(dataDir, 'speaker.wav')) });
    await td.device.features.timers.add({ durationMs: 2000, label: 'tea' });
    await td.run(quiet(8), '6:action');
    const rings = td.of('notification');
    expect(rings.map((n) => [n.kind, n.action, n.label])).toEqual([
      ['timer', 'ringing', 'tea'],
      ['timer', 'dismissed', 'tea'],
    ]);
    expect(rings[0]!.at).toBe(2000);
    const chimes = td.of('sound').filter((s) => s.label === 'chime');
    expect(chimes.map((c) => c.at)).toEqual([2000, 4000, 6000]);
    // Pulsing yellow: over one pulse the ring reaches a bright yellow (red and green, no blue).
    const peak = td.leds.frames.filter((fr) => fr.at >= 2000 && fr.at < 4000).map((fr) => fr.leds[0]!).sort((a, b) => b.r - a.r)[0]!;
    expect(peak.r).toBeGreaterThan(200);
    expect(peak.g).toBeGreaterThan(150);
    expect(peak.b).toBeLessThan(40);
    expect(td.device.features.timers.list()).toEqual([]);
    // The click dismissed the timer; it did not start a request.
    expect(td.of('stream-start')).toEqual([]);
  });

  test('reset clears exactly the requested features', async () => {
    td = await bootDevice();
    const f = td.device.features;
    await f.volume.set(8);
    td.device.speaker.setVolume(8);
    await f.lists.add('shopping', 'oat milk');
    await f.bluetooth.pair({ address: 'AA:BB:CC:DD:EE:01', name: 'Phone' });
    await f.timers.add({ durationMs: 600_000 });
    await f.settings.set({ doNotDisturb: true });
    const before = f.snapshot();

    const volume = await td.device.reset(['VOLUME']);
    expect(volume.cleared).toEqual(['VOLUME']);
    expect(td.device.speaker.volume).toBe(5);
    expect(f.snapshot()).toEqual({ ...before, volume: { level: 5 } });

    await td.device.reset(['LISTS', 'BLUETOOTH']);
    const after = f.snapshot();
    expect(after.lists).toEqual({ shopping: [], todo: [] });
    expect(after.bluetooth.history).toEqual([]);
    expect(after.notifications).toEqual(before.notifications);
    expect(after.settings).toEqual(before.settings);

    await expect(td.device.reset(['VOLUME', 'EVERYTHING'])).rejects.toMatchObject({ code: 'RESET_FEATURE_INVALID' });
    expect(f.snapshot()).toEqual(after);

    await td.device.reset(['ALL']);
    expect(f.snapshot().notifications.timers).toEqual([]);
    expect(f.snapshot().settings.doNotDisturb).toBe(false);
  });

  test('Do Not Disturb flashes purple once after an interaction', async () => {
    td = await bootDevice();
    await td.device.features.settings.set({ doNotDisturb: true });
    await td.run(quiet(6), '0.5:action');
    const idle = td.of('state').find((s) => s.to === 'IDLE' && s.from === 'LISTENING')!;
    const flash = td.leds.at(idle.at + 300)!.leds[0]!;
    expect(flash.r).toBeGreaterThan(60);
    expect(flash.b).toBeGreaterThan(60);
    expect(flash.g).toBeLessThan(flash.b);
    expect(td.leds.at(idle.at + 1200)!.leds.every((c) => c.r === 0 && c.g === 0 && c.b === 0)).toBe(true);
  });

  test('a button the model does not have is refused', async () => {
    td = await bootDevice();
    td.device.buttonEdge({ button: 'call', pressed: true });
    expect(td.of('refused')).toEqual([expect.objectContaining({ code: 'BUTTON_UNKNOWN' })]);
  });
});
