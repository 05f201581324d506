import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../../core/clock.js';
import { LocalFeatures, type FeaturesSnapshot } from '../../../firmware/features/index.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** Monday 2026-01-05 09:00Z, the VirtualClock default. */
export const T0 = Date.UTC(2026, 0, 5, 9, 0);

/** A temporary "flash" directory per test. */
export function tempFlash(): { dir: () => string } {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'echosim-features-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return { dir: () => dir };
}

/** A device booting at wall time `epochMs` on the flash in `dir`. */
export async function boot(dir: string, epochMs = T0): Promise<{ clock: VirtualClock; features: LocalFeatures }> {
  const clock = new VirtualClock(0, epochMs);
  const features = await LocalFeatures.open({ dir, clock });
  return { clock, features };
}

/** Every file in the flash directory with its exact bytes. */
export function flashBytes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = readFileSync(path.join(dir, f)).toString('base64');
  return out;
}

/** Lets events deferred to the next turn of the event loop (open's `missed`, `storage-corrupt`) arrive. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Puts something non-default into every feature group (time zone left at UTC). */
export async function populate(f: LocalFeatures): Promise<void> {
  await f.timers.add({ durationMs: 10 * MIN, label: 'pasta' });
  await f.timers.add({ durationMs: 2 * HOUR });
  await f.alarms.add({ time: '07:00', repeat: 'weekdays', label: 'wake up' });
  await f.alarms.add({ time: '18:30', repeat: 'once' });
  await f.lists.add('shopping', 'milk');
  const bread = await f.lists.add('shopping', '  bread ');
  await f.lists.complete('shopping', bread.id);
  await f.lists.add('todo', 'book the meeting room');
  await f.bluetooth.pair({ address: 'aa:bb:cc:dd:ee:01', name: 'Phone' });
  await f.bluetooth.pair({ address: 'AA:BB:CC:DD:EE:02', name: 'Laptop' });
  await f.bluetooth.connect('AA:BB:CC:DD:EE:01');
  await f.volume.set(8);
  await f.settings.set({ doNotDisturb: true, earcons: { startOfRequest: true }, deviceName: 'Room 4.12' });
}

/** The snapshot of a device that never stored anything. */
export async function defaultSnapshot(): Promise<FeaturesSnapshot> {
  const dir = mkdtempSync(path.join(tmpdir(), 'echosim-features-defaults-'));
  try {
    const { features } = await boot(dir);
    const snap = features.snapshot();
    await features.close();
    return snap;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
