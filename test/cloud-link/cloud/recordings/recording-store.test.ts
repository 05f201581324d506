import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../../../core/clock.js';
import { RecordingStore, type RecordingMeta } from '../../../../cloud-link/cloud/recordings/recording-store.js';
import { addMonthsUtc, expiresAt } from '../../../../cloud-link/cloud/recordings/retention.js';

const DAY = 86_400_000;

/** A recognisable utterance: a ramp, so the bytes on disk can be checked sample by sample. */
function utterance(samples = 16_000): Int16Array {
  return Int16Array.from({ length: samples }, (_v, i) => ((i * 7) % 65536) - 32768);
}

/** The `data` chunk of a WAV file, read by the test itself (the store has no reader, by design). */
function dataChunk(file: string): { fmt: Buffer; data: Int16Array } {
  const b = readFileSync(file);
  let o = 12;
  let fmt = Buffer.alloc(0);
  while (o + 8 <= b.length) {
    const id = b.toString('ascii', o, o + 4);
    const size = b.readUInt32LE(o + 4);
    if (id === 'fmt ') fmt = b.subarray(o + 8, o + 8 + size);
    if (id === 'data') {
      const data = new Int16Array(size / 2);
      for (let i = 0; i < data.length; i++) data[i] = b.readInt16LE(o + 8 + 2 * i);
      return { fmt, data };
    }
    o += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

describe('RecordingStore', () => {
  let dir: string;
  let clock: VirtualClock;
  let store: RecordingStore;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'echosim-recordings-'));
    clock = new VirtualClock();
    store = new RecordingStore({ dir, clock });
  });
  afterEach(() => {
    store.stopSweeping();
    rmSync(dir, { recursive: true, force: true });
  });

  const add = (deviceId: string, policy: RecordingMeta['policy'] = 'KEEP', extra: Partial<Parameters<RecordingStore['add']>[0]> = {}) =>
    store.add({ deviceId, audio: utterance(), confirmed: true, policy, ...extra });

  test('a confirmed utterance is kept as a 0600 WAV file holding exactly its audio', async () => {
    const audio = utterance(24_000);
    const meta = await store.add({ deviceId: 'SN-1', roomArn: 'arn:aws:a4b:us-east-1:000000000000:room/r1', audio, confirmed: true, policy: 'KEEP' });
    expect(meta).toBeDefined();
    const file = path.join(dir, 'recordings', 'SN-1', `${meta!.id}.wav`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const { fmt, data } = dataChunk(file);
    expect([fmt.readUInt16LE(0), fmt.readUInt16LE(2), fmt.readUInt32LE(4), fmt.readUInt16LE(14)]).toEqual([1, 1, 16000, 16]);
    expect(data).toEqual(audio);
    expect(meta).toEqual({
      id: meta!.id,
      deviceId: 'SN-1',
      roomArn: 'arn:aws:a4b:us-east-1:000000000000:room/r1',
      createdAt: clock.wallNow(),
      bytes: statSync(file).size,
      durationMs: 1500,
      confirmed: true,
      policy: 'KEEP',
    });
    expect(await store.list('SN-1')).toEqual([meta]);
    // Nothing but the recording is left in the directory (no temp file).
    expect(readdirSync(path.dirname(file))).toEqual([`${meta!.id}.wav`]);
  });

  test('DO_NOT_SAVE, DataRetentionOptIn false and unconfirmed utterances write nothing at all', async () => {
    expect(await add('SN-1', 'DO_NOT_SAVE')).toBeUndefined();
    expect(await add('SN-1', 'KEEP', { dataRetentionOptIn: false })).toBeUndefined();
    expect(await add('SN-1', 'DELETE_AFTER_3_MONTHS', { dataRetentionOptIn: false })).toBeUndefined();
    expect(await add('SN-1', 'KEEP', { confirmed: false })).toBeUndefined();
    expect(existsSync(path.join(dir, 'recordings'))).toBe(false);
    expect(await store.list('SN-1')).toEqual([]);
    expect(await add('SN-1', 'KEEP', { dataRetentionOptIn: true })).toBeDefined();
  });

  test('age-based retention: 3 and 18 calendar months, KEEP forever', async () => {
    const t0 = clock.wallNow(); // 2026-01-05T09:00:00Z
    const keep = (await add('SN-1', 'KEEP'))!;
    const three = (await add('SN-1', 'DELETE_AFTER_3_MONTHS'))!;
    const eighteen = (await add('SN-1', 'DELETE_AFTER_18_MONTHS'))!;
    expect(three.expiresAt).toBe(Date.UTC(2026, 3, 5, 9));
    expect(eighteen.expiresAt).toBe(Date.UTC(2027, 6, 5, 9));
    expect(keep.expiresAt).toBeUndefined();

    await clock.advance(Date.UTC(2026, 3, 5, 9) - t0 - 1);
    expect(await store.sweep()).toEqual([]);
    await clock.advance(1);
    expect(await store.sweep()).toEqual([three.id]);
    expect((await store.list('SN-1')).map((m) => m.id).sort()).toEqual([keep.id, eighteen.id].sort());

    await clock.advance(Date.UTC(2027, 6, 5, 9) - clock.wallNow());
    expect(await store.sweep()).toEqual([eighteen.id]);
    await clock.advance(10 * 365 * DAY);
    expect(await store.sweep()).toEqual([]);
    expect((await store.list('SN-1')).map((m) => m.id)).toEqual([keep.id]);
  });

  test("the room's current policy overrides the stored one when the sweep is told it", async () => {
    const a = (await add('SN-A', 'KEEP'))!;
    const b = (await add('SN-B', 'KEEP'))!;
    await clock.advance(100 * DAY);
    const current = (id: string) => (id === 'SN-A' ? ('DELETE_AFTER_3_MONTHS' as const) : undefined);
    expect(await store.sweep(clock.wallNow(), current)).toEqual([a.id]);
    expect(await store.sweep(clock.wallNow(), () => 'DO_NOT_SAVE')).toEqual([b.id]);
  });

  test('scheduled sweeps run on the injected clock and report what they deleted', async () => {
    const three = (await add('SN-1', 'DELETE_AFTER_3_MONTHS'))!;
    const swept: string[][] = [];
    let notify: () => void = () => undefined;
    store.startSweeping({ intervalMs: DAY, onSwept: (ids) => (swept.push(ids), notify()) });
    const nextSweep = () => new Promise<void>((resolve) => (notify = resolve));
    /** One day on the clock: exactly one sweep runs, and we wait for its file work to finish. */
    const day = async (): Promise<void> => {
      const done = nextSweep();
      await clock.advance(DAY);
      await done;
    };
    await day();
    expect(swept).toEqual([[]]);
    while (clock.wallNow() < three.expiresAt!) await day();
    expect(swept.at(-1)).toEqual([three.id]);
    expect(swept.slice(0, -1).every((ids) => ids.length === 0)).toBe(true);
    expect(swept).toHaveLength(90); // 2026-01-05 to 2026-04-05, one sweep a day
    store.stopSweeping();
    const before = swept.length;
    await clock.advance(5 * DAY);
    expect(swept.length).toBe(before);
  });

  test('delete(ids) removes exactly those recordings, on any device', async () => {
    const a1 = (await add('SN-A'))!;
    const a2 = (await add('SN-A'))!;
    const b1 = (await add('SN-B'))!;
    expect(await store.delete([a1.id, b1.id, '00000000-0000-4000-8000-000000000000'])).toEqual([a1.id, b1.id]);
    expect((await store.list('SN-A')).map((m) => m.id)).toEqual([a2.id]);
    expect(await store.list('SN-B')).toEqual([]);
    await expect(store.delete(['../SN-A'])).rejects.toMatchObject({ code: 'RECORDING_INVALID' });
    expect((await store.list('SN-A')).map((m) => m.id)).toEqual([a2.id]);
  });

  test('deleteDevice removes all of one device and nothing of another, even racing a write', async () => {
    const b = (await add('SN-B'))!;
    await add('SN-A');
    const [late, ids] = await Promise.all([add('SN-A'), store.deleteDevice('SN-A')]);
    expect(ids).toHaveLength(2);
    expect(ids).toContain(late!.id);
    expect(existsSync(path.join(dir, 'recordings', 'SN-A'))).toBe(false);
    expect((await store.list('SN-B')).map((m) => m.id)).toEqual([b.id]);
    expect(await store.deleteDevice('SN-never')).toEqual([]);
  });

  test('crash leftovers: a temp file and a damaged recording are skipped by list and removed by sweep', async () => {
    const good = (await add('SN-1'))!;
    const devDir = path.join(dir, 'recordings', 'SN-1');
    const tmp = path.join(devDir, '.11111111-1111-4111-8111-111111111111.tmp');
    const damagedId = '22222222-2222-4222-8222-222222222222';
    writeFileSync(tmp, 'half a recording');
    writeFileSync(path.join(devDir, `${damagedId}.wav`), 'RIFF garbage');
    expect((await store.list('SN-1')).map((m) => m.id)).toEqual([good.id]);
    expect(await store.sweep()).toEqual([damagedId]);
    expect(readdirSync(devDir)).toEqual([`${good.id}.wav`]);
  });

  test('bad input is refused with a code and a hint; a failed write says where', async () => {
    await expect(add('../etc')).rejects.toMatchObject({ code: 'DEVICE_ID_INVALID' });
    await expect(add('echosim-cloud')).rejects.toMatchObject({ code: 'DEVICE_ID_INVALID' });
    await expect(add('SN-1', 'FOREVER' as never)).rejects.toMatchObject({ code: 'RECORDING_INVALID' });
    await expect(store.add({ deviceId: 'SN-1', audio: new Int16Array(0), confirmed: true, policy: 'KEEP' })).rejects.toMatchObject({ code: 'RECORDING_INVALID' });
    await expect(store.add({ deviceId: 'SN-1', audio: new Int16Array(136_001), confirmed: true, policy: 'KEEP' })).rejects.toMatchObject({ code: 'RECORDING_INVALID' });
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'recordings'), 'not a directory');
    await expect(add('SN-1')).rejects.toMatchObject({ code: 'RECORDING_STORE_FAILED', hint: expect.stringContaining('writable') });
  });

  test('the public surface has no way to read audio back', async () => {
    expect(Object.getOwnPropertyNames(RecordingStore.prototype).sort()).toEqual(
      ['add', 'constructor', 'delete', 'deleteDevice', 'list', 'startSweeping', 'stopSweeping', 'sweep'].sort(),
    );
    expect(Object.keys(store)).toEqual(['root']);
    await add('SN-1', 'DELETE_AFTER_18_MONTHS', { roomArn: 'arn:room' });
    for (const meta of await store.list('SN-1')) {
      expect(Object.keys(meta).sort()).toEqual(['bytes', 'confirmed', 'createdAt', 'deviceId', 'durationMs', 'expiresAt', 'id', 'policy', 'roomArn']);
      for (const v of Object.values(meta)) expect(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean').toBe(true);
    }
  });
});

describe('retention arithmetic', () => {
  test('calendar months in UTC, the day clamped to the month', () => {
    expect(addMonthsUtc(Date.UTC(2025, 10, 30, 12), 3)).toBe(Date.UTC(2026, 1, 28, 12));
    expect(addMonthsUtc(Date.UTC(2027, 10, 30, 12), 3)).toBe(Date.UTC(2028, 1, 29, 12));
    expect(addMonthsUtc(Date.UTC(2026, 0, 31), 18)).toBe(Date.UTC(2027, 6, 31));
    expect(addMonthsUtc(Date.UTC(2026, 7, 31), 18)).toBe(Date.UTC(2028, 1, 29));
    expect(expiresAt(0, 'KEEP')).toBeUndefined();
    expect(expiresAt(5, 'DO_NOT_SAVE')).toBe(5);
  });
});
