import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { EchosimError } from './errors.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenFile } from './private-files.js';

/**
 * The device's "flash": a settings document that survives restarts and a kill -9 at any instant.
 *
 * Two slots (A and B) are written alternately. A write goes to a temporary file, is fsynced, renamed
 * over its slot, and the directory is fsynced, so each slot is always either its old complete content
 * or its new complete content. Every slot carries a sequence number and a sha256 of its payload; a
 * load takes the valid slot with the highest sequence. A slot that fails its checksum or schema is
 * reported (`corrupt`) and the other slot, the last good copy, is used, or the defaults when there is
 * none (`source` says which).
 *
 * The flash is private (core/private-files.ts): the directory is 0700 and every slot 0600 (the
 * temporary file is created 0600 before the rename, so no copy is ever readable by others); a
 * directory or slot an older version wrote with wider modes is tightened on load. The cloud link keeps
 * the applied network profile, Wi-Fi passwords included, in such a store.
 */
export interface StoredEnvelope {
  format: 'echosim-settings/1';
  seq: number;
  sha256: string;
  payload: unknown;
}

export interface LoadReport<T> {
  value: T;
  seq: number;
  /** Where it came from: a slot, or the defaults when no slot was readable. */
  source: 'a' | 'b' | 'defaults';
  /** Slots that existed but could not be used, and why. */
  corrupt: Array<{ slot: 'a' | 'b'; reason: string }>;
}

/**
 * What a log line says about a slot that could not be used: the slot, why, and what the store
 * loaded instead, the other slot (the last good copy) or, when no slot was good, the defaults.
 */
export function describeCorruptSlot(store: string, corrupt: { slot: 'a' | 'b'; reason: string }, source: LoadReport<unknown>['source']): string {
  const bad = `${store}: slot ${corrupt.slot} is unusable (${corrupt.reason})`;
  return source === 'defaults' ? `${bad} and no good copy is left; using the defaults` : `${bad}; using slot ${source}, the last good copy`;
}

const SLOTS = ['a', 'b'] as const;
type Slot = (typeof SLOTS)[number];

function digest(payloadJson: string): string {
  return createHash('sha256').update(payloadJson).digest('hex');
}

export class SettingsStore<T> {
  private seq = 0;
  private lastSlot: Slot | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly name: string,
    private readonly schema: z.ZodType<T>,
    private readonly defaults: () => T,
  ) {
    ensurePrivateDir(dir);
  }

  slotPath(slot: Slot): string {
    return path.join(this.dir, `${this.name}.${slot}.json`);
  }

  /** Reads both slots and returns the newest valid one (or the defaults). */
  load(): LoadReport<T> {
    this.removeStaleTemporaries();
    for (const slot of SLOTS) tightenFile(this.slotPath(slot));
    const corrupt: LoadReport<T>['corrupt'] = [];
    let best: { slot: Slot; seq: number; value: T } | undefined;
    for (const slot of SLOTS) {
      const result = this.readSlot(slot);
      if (result === undefined) continue;
      if ('reason' in result) {
        corrupt.push({ slot, reason: result.reason });
        continue;
      }
      if (!best || result.seq > best.seq) best = { slot, ...result };
    }
    if (!best) {
      this.seq = 0;
      this.lastSlot = undefined;
      return { value: this.defaults(), seq: 0, source: 'defaults', corrupt };
    }
    this.seq = best.seq;
    this.lastSlot = best.slot;
    return { value: best.value, seq: best.seq, source: best.slot, corrupt };
  }

  /** Persists `value` durably; resolves when it is on disk. Writes are serialised. */
  save(value: T): Promise<void> {
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) {
      return Promise.reject(
        new EchosimError('SETTINGS_INVALID', `refusing to save invalid ${this.name}: ${z.prettifyError(parsed.error)}`, {
          hint: 'Nothing was written; the stored settings are unchanged.',
        }),
      );
    }
    const checked = parsed.data;
    const next = this.writing.then(() => this.write(checked));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async write(value: T): Promise<void> {
    const seq = this.seq + 1;
    const slot: Slot = this.lastSlot === 'a' ? 'b' : 'a';
    const payloadJson = JSON.stringify(value);
    const envelope: StoredEnvelope = { format: 'echosim-settings/1', seq, sha256: digest(payloadJson), payload: value };
    const target = this.slotPath(slot);
    const tmp = `${target}.tmp-${process.pid}`;
    const fh = await open(tmp, 'w', PRIVATE_FILE_MODE);
    try {
      await fh.writeFile(JSON.stringify(envelope));
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    const dirHandle = await open(this.dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    this.seq = seq;
    this.lastSlot = slot;
  }

  /** A temporary file is a write that never completed (power cut); it is never a valid slot. */
  private removeStaleTemporaries(): void {
    for (const f of readdirSync(this.dir)) {
      if (f.startsWith(`${this.name}.`) && f.includes('.json.tmp-')) unlinkSync(path.join(this.dir, f));
    }
  }

  private readSlot(slot: Slot): { seq: number; value: T } | { reason: string } | undefined {
    let text: string;
    try {
      text = readFileSync(this.slotPath(slot), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return { reason: `unreadable: ${(err as Error).message}` };
    }
    let env: Partial<StoredEnvelope>;
    try {
      env = JSON.parse(text) as Partial<StoredEnvelope>;
    } catch {
      return { reason: 'not valid JSON (torn or overwritten)' };
    }
    if (env.format !== 'echosim-settings/1' || typeof env.seq !== 'number' || typeof env.sha256 !== 'string') {
      return { reason: 'not an echosim settings file' };
    }
    if (digest(JSON.stringify(env.payload)) !== env.sha256) return { reason: 'checksum mismatch' };
    const parsed = this.schema.safeParse(env.payload);
    if (!parsed.success) return { reason: `does not match the settings schema: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
    return { seq: env.seq, value: parsed.data };
  }
}
