import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import type { z } from 'zod';
import { SettingsStore, type LoadReport } from '../../../firmware/storage/settings-store.js';

/**
 * A crash-safe settings store (firmware/storage/settings-store.ts: A/B slots, fsync, rename,
 * checksum) for documents only the device may read: the applied network profile with its Wi-Fi
 * passwords lives here, as it does in a real device's flash.
 *
 * Two layers keep the secrets private:
 * - the directory is created (or tightened) to mode 0700, so nobody but the device's user can even
 *   list it; the store's temporary file is created inside it before the rename, so there is no instant
 *   at which a copy sits readable by others;
 * - every slot is chmodded to 0600 after each write and on load (a slot written by an older version,
 *   or restored from a backup with a wider mode, is tightened the first time it is read).
 */
export class PrivateSettingsStore<T> extends SettingsStore<T> {
  constructor(dir: string, name: string, schema: z.ZodType<T>, defaults: () => T) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    super(dir, name, schema, defaults);
  }

  override load(): LoadReport<T> {
    const report = super.load();
    for (const slot of ['a', 'b'] as const) {
      const file = this.slotPath(slot);
      if (existsSync(file)) chmodSync(file, 0o600);
    }
    return report;
  }

  override async save(value: T): Promise<void> {
    await super.save(value);
    await Promise.all(
      (['a', 'b'] as const).map((slot) =>
        chmod(this.slotPath(slot), 0o600).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        }),
      ),
    );
  }
}
