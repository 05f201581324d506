import { EchosimError } from './errors.js';
import type { LoadReport, SettingsStore } from './settings-store.js';

export interface UpdateOptions {
  /**
   * Keep the change in memory even when writing it fails. For facts that already happened (a timer
   * rang, so it is gone whether or not flash could be written): the next successful save writes the
   * whole document and catches the flash up. User mutations leave this off, so a failed write means
   * no change at all.
   */
  commitOnSaveFailure?: boolean;
}

/**
 * One feature group's state in memory, backed by its own SettingsStore file.
 *
 * Mutations are queued and applied one at a time to a copy of the current value; the copy is saved
 * (A/B slots, fsync) and only then becomes the current value. So a mutation that throws (not found,
 * limit) or whose write fails leaves both memory and flash untouched, concurrent mutations never
 * lose each other's changes, and a promise that resolves means the change is on flash.
 */
export class PersistentState<T> {
  readonly loadReport: LoadReport<T>;
  private current: T;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly store: SettingsStore<T>,
    private readonly onCommit: (value: T) => void = () => undefined,
  ) {
    this.loadReport = store.load();
    this.current = this.loadReport.value;
  }

  get name(): string {
    return this.store.name;
  }

  /** The committed value. Shared, not copied: callers must not modify it (copy at API boundaries). */
  get value(): T {
    return this.current;
  }

  /**
   * Queues `mutate`, which edits a private copy of the state and may throw to abort; the copy is
   * saved and committed, and `mutate`'s result is returned once it is on flash.
   */
  update<R>(mutate: (draft: T) => R, options: UpdateOptions = {}): Promise<R> {
    if (this.closed) {
      return Promise.reject(
        new EchosimError('DEVICE_NOT_RUNNING', `${this.store.name} is closed`, {
          hint: 'Open the local features again (LocalFeatures.open) before changing them.',
        }),
      );
    }
    const run = this.tail.then(async () => {
      const draft = structuredClone(this.current);
      const result = mutate(draft);
      try {
        await this.store.save(draft);
      } catch (err) {
        if (options.commitOnSaveFailure) this.commit(draft);
        throw err;
      }
      this.commit(draft);
      return result;
    });
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Resolves when every queued mutation has finished (including ones queued while waiting). */
  async idle(): Promise<void> {
    for (;;) {
      const tail = this.tail;
      await tail;
      if (tail === this.tail) return;
    }
  }

  /** Refuses further mutations and waits for the queued ones to reach flash. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private commit(value: T): void {
    this.current = value;
    this.onCommit(value);
  }
}
