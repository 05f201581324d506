import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { describeCorruptSlot, SettingsStore } from '../../core/settings-store.js';

const schema = z.object({ counter: z.number().int(), blob: z.string() });
type Doc = z.infer<typeof schema>;
const defaults = (): Doc => ({ counter: 0, blob: '' });

describe('SettingsStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'echosim-flash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a fresh store loads its defaults; saves survive a new instance (a restart)', async () => {
    const a = new SettingsStore(dir, 'settings', schema, defaults);
    expect(a.load()).toEqual({ value: defaults(), seq: 0, source: 'defaults', corrupt: [] });
    await a.save({ counter: 1, blob: 'one' });
    await a.save({ counter: 2, blob: 'two' });
    const b = new SettingsStore(dir, 'settings', schema, defaults);
    expect(b.load()).toMatchObject({ value: { counter: 2, blob: 'two' }, seq: 2, corrupt: [] });
  });

  test('writes alternate between the two slots', async () => {
    const s = new SettingsStore(dir, 'settings', schema, defaults);
    s.load();
    await s.save({ counter: 1, blob: '' });
    await s.save({ counter: 2, blob: '' });
    const seqOf = (slot: 'a' | 'b') => (JSON.parse(readFileSync(s.slotPath(slot), 'utf8')) as { seq: number }).seq;
    expect([seqOf('a'), seqOf('b')]).toEqual([1, 2]);
    await s.save({ counter: 3, blob: '' });
    expect(seqOf('a')).toBe(3);
    expect(readdirSync(dir).sort()).toEqual(['settings.a.json', 'settings.b.json']);
  });

  test('a corrupt newest slot is reported and the last good copy is used', async () => {
    const s = new SettingsStore(dir, 'settings', schema, defaults);
    s.load();
    await s.save({ counter: 1, blob: 'good' });
    await s.save({ counter: 2, blob: 'newer' });
    // Flip one payload byte in slot b (the newer) without fixing its checksum.
    const file = s.slotPath('b');
    writeFileSync(file, readFileSync(file, 'utf8').replace('newer', 'nEwer'));
    const report = new SettingsStore(dir, 'settings', schema, defaults).load();
    expect(report).toMatchObject({ value: { counter: 1, blob: 'good' }, source: 'a', corrupt: [{ slot: 'b', reason: 'checksum mismatch' }] });
  });

  test('torn JSON and schema-invalid slots are reported; with both bad the defaults are used', async () => {
    const s = new SettingsStore(dir, 'settings', schema, defaults);
    writeFileSync(s.slotPath('a'), '{"format":"echosim-settings/1","seq":4,"sha');
    const payload = { counter: 'seven' };
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(JSON.stringify(payload)).digest('hex');
    writeFileSync(s.slotPath('b'), JSON.stringify({ format: 'echosim-settings/1', seq: 5, sha256, payload }));
    const report = s.load();
    expect(report.source).toBe('defaults');
    expect(report.corrupt.map((c) => c.slot)).toEqual(['a', 'b']);
    expect(report.corrupt[0]!.reason).toMatch(/JSON/);
    expect(report.corrupt[1]!.reason).toMatch(/schema/);
  });

  test('the warning for a corrupt slot says what was used instead: the other slot, or the defaults', () => {
    expect(describeCorruptSlot('settings store', { slot: 'b', reason: 'checksum mismatch' }, 'a')).toBe(
      'settings store: slot b is unusable (checksum mismatch); using slot a, the last good copy',
    );
    expect(describeCorruptSlot('settings store', { slot: 'a', reason: 'not valid JSON (torn or overwritten)' }, 'defaults')).toBe(
      'settings store: slot a is unusable (not valid JSON (torn or overwritten)) and no good copy is left; using the defaults',
    );
  });

  test('the flash is private: the directory 0700, every slot 0600, wider ones from older versions tightened on load', async () => {
    const { chmodSync, statSync } = await import('node:fs');
    const mode = (p: string): number => statSync(p).mode & 0o777;
    const flash = path.join(dir, 'flash');
    const s = new SettingsStore(flash, 'settings', schema, defaults);
    s.load();
    await s.save({ counter: 1, blob: 'a' });
    await s.save({ counter: 2, blob: 'b' });
    expect([mode(flash), mode(s.slotPath('a')), mode(s.slotPath('b'))]).toEqual([0o700, 0o600, 0o600]);
    chmodSync(flash, 0o755);
    chmodSync(s.slotPath('a'), 0o644);
    new SettingsStore(flash, 'settings', schema, defaults).load();
    expect([mode(flash), mode(s.slotPath('a'))]).toEqual([0o700, 0o600]);
  });

  test('an invalid value is refused and nothing on disk changes', async () => {
    const s = new SettingsStore(dir, 'settings', schema, defaults);
    s.load();
    await s.save({ counter: 1, blob: 'kept' });
    await expect(s.save({ counter: 1.5, blob: 'x' } as Doc)).rejects.toMatchObject({ code: 'SETTINGS_INVALID' });
    expect(new SettingsStore(dir, 'settings', schema, defaults).load().value).toEqual({ counter: 1, blob: 'kept' });
  });

  test('200 kill -9s mid-write: every load is valid and no saved write is ever lost', async () => {
    const writer = path.join(process.cwd(), 'test', 'core', 'store-writer.mjs');
    let previous = 0;
    let corruptLoads = 0;
    let killedWithTmp = 0;
    for (let i = 0; i < 200; i++) {
      const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      });
      // Let it write for 0-25 ms, then cut the power.
      await new Promise((r) => setTimeout(r, (i * 37) % 26));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      if (readdirSync(dir).some((f) => f.includes('.tmp-'))) killedWithTmp++;
      const report = new SettingsStore(dir, 'settings', schema, defaults).load();
      expect(readdirSync(dir).some((f) => f.includes('.tmp-'))).toBe(false);
      if (report.corrupt.length > 0 || report.source === 'defaults') corruptLoads++;
      // Durable saves only move forward (the child had completed at least one save before 'ready').
      expect(report.value.counter).toBeGreaterThanOrEqual(previous);
      expect(report.value.counter).toBeGreaterThan(0);
      expect(report.value.blob.length).toBe((report.value.counter * 7919) % 40000);
      previous = report.value.counter;
    }
    expect(corruptLoads).toBe(0);
    // The kills really landed mid-write some of the time (a temporary file was left behind).
    expect(killedWithTmp).toBeGreaterThan(0);
  }, 180_000);
});
