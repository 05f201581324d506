import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { describeCorruptSlot, SettingsStore } from '../../core/settings-store.js';
import { Alarms } from './alarms.js';
import { Bluetooth, BluetoothStateSchema, defaultBluetoothState, type BluetoothState } from './bluetooth.js';
import { DeviceSettings, DeviceSettingsSchema, defaultDeviceSettings, type DeviceSettingsValue } from './device-settings.js';
import { Lists, ListsStateSchema, defaultListsState, type ListItem } from './lists.js';
import {
  NotificationsStateSchema,
  defaultNotificationsState,
  type Alarm,
  type AlarmFired,
  type MissedItem,
  type Timer,
  type TimerFired,
} from './notifications-schema.js';
import { Notifications } from './notifications.js';
import { PersistentState } from '../../core/persistent-state.js';
import { planReset, type LocalResetFeature, type ResetReport } from '../../cloud-link/protocol/reset-features.js';

export type { LocalResetFeature, ResetFeature, ResetReport, SyncFeature } from '../../cloud-link/protocol/reset-features.js';
import { Timers } from './timers.js';
import { Volume, VolumeStateSchema, defaultVolumeState, type VolumeState } from './volume.js';

/** The feature groups; each has its own store file `features-<name>.{a,b}.json` in the data directory. */
export const FEATURE_NAMES = ['notifications', 'lists', 'bluetooth', 'volume', 'settings'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export interface StorageCorrupt {
  store: FeatureName;
  slot: 'a' | 'b';
  reason: string;
}

export interface FeaturesLoadReport {
  /** Where each group's state came from: a slot (with its sequence number) or the defaults. */
  stores: Record<FeatureName, { source: 'a' | 'b' | 'defaults'; seq: number }>;
  /** Slots that could not be used; the other slot (the last good copy) or the defaults were. */
  corrupt: StorageCorrupt[];
  /** Timers and alarms that came due while the device was off. */
  missed: MissedItem[];
}

/** Plain JSON of every local feature, for the device's reported state. */
export interface FeaturesSnapshot {
  notifications: { timers: Timer[]; alarms: Alarm[]; ringing: string[] };
  lists: { shopping: ListItem[]; todo: ListItem[] };
  bluetooth: BluetoothState;
  volume: VolumeState;
  settings: DeviceSettingsValue;
}

export interface LocalFeaturesEvents {
  'timer-fired': [TimerFired];
  'alarm-fired': [AlarmFired];
  /** Something that came due while the device was off; once per item, after open(). */
  missed: [MissedItem];
  /** A group's state changed (and is on flash, except for which alarms are ringing). */
  changed: [{ feature: FeatureName }];
  reset: [ResetReport];
  'storage-corrupt': [StorageCorrupt];
}

export interface LocalFeaturesOptions {
  /** The data directory ("flash"). */
  dir: string;
  clock: Clock;
  log?: Logger;
  /** Longest the due-time scheduler sleeps before re-reading the wall clock (default 60 s). */
  maxSleepMs?: number;
}

/**
 * The device's local features (docs/alexa-for-business.md#startdevicesync): timers and alarms, shopping and to-do lists, Bluetooth
 * pairing history, volume and device settings, and the reset-by-feature of StartDeviceSync.
 *
 * Each group lives in its own A/B store file, so a reset, a torn write or a corrupt file in one never
 * touches another. Mutations are async: they validate first (FEATURE_INPUT_INVALID, FEATURE_NOT_FOUND,
 * FEATURE_LIMIT_EXCEEDED leave everything unchanged), resolve once the change is on flash, and emit
 * `changed`. Events found while opening (`storage-corrupt`, `missed`) are emitted once on the next turn
 * of the event loop after open() resolves, so listeners attached right after `await open()` get them;
 * `loadReport` holds them too.
 */
export class LocalFeatures extends EventEmitter<LocalFeaturesEvents> {
  readonly timers: Timers;
  readonly alarms: Alarms;
  readonly lists: Lists;
  readonly bluetooth: Bluetooth;
  readonly volume: Volume;
  readonly settings: DeviceSettings;

  private readonly log: Logger;
  private readonly notifications: Notifications;
  private readonly states: Record<FeatureName, PersistentState<unknown>>;
  private readonly report: FeaturesLoadReport;
  private readonly unforward: Array<() => void> = [];
  private deferred: NodeJS.Immediate | undefined;
  private closed = false;

  /** Loads every store, catches up on what came due while off, and starts the alarm/timer clock. */
  static async open(options: LocalFeaturesOptions): Promise<LocalFeatures> {
    const features = new LocalFeatures(options);
    await features.start();
    return features;
  }

  private constructor(options: LocalFeaturesOptions) {
    super();
    this.log = (options.log ?? rootLogger()).child({ module: 'features' });
    const wallNow = (): number => options.clock.wallNow();
    const load = <T>(feature: FeatureName, schema: z.ZodType<T>, defaults: () => T): PersistentState<T> =>
      new PersistentState(new SettingsStore(options.dir, `features-${feature}`, schema, defaults), () =>
        this.safeEmit('changed', { feature }),
      );
    const notifications = load('notifications', NotificationsStateSchema, defaultNotificationsState);
    const lists = load('lists', ListsStateSchema, defaultListsState);
    const bluetooth = load('bluetooth', BluetoothStateSchema, defaultBluetoothState);
    const volume = load('volume', VolumeStateSchema, defaultVolumeState);
    const settings = load('settings', DeviceSettingsSchema, defaultDeviceSettings);
    this.states = { notifications, lists, bluetooth, volume, settings } as Record<FeatureName, PersistentState<unknown>>;

    this.notifications = new Notifications(notifications, options.clock, this.log, options.maxSleepMs);
    this.timers = new Timers(this.notifications);
    this.alarms = new Alarms(this.notifications);
    this.lists = new Lists(lists, wallNow);
    this.bluetooth = new Bluetooth(bluetooth, wallNow);
    this.volume = new Volume(volume);
    this.settings = new DeviceSettings(settings, (tz) => this.notifications.applyTimeZone(tz));

    this.report = { stores: {} as FeaturesLoadReport['stores'], corrupt: [], missed: [] };
    for (const feature of FEATURE_NAMES) {
      const { source, seq, corrupt } = this.states[feature].loadReport;
      this.report.stores[feature] = { source, seq };
      for (const c of corrupt) {
        this.report.corrupt.push({ store: feature, ...c });
        this.log.warn({ store: feature, ...c, using: source }, describeCorruptSlot(`feature store ${feature}`, c, source));
      }
    }
    this.forward('timer-fired');
    this.forward('alarm-fired');
    const ringing = (): void => this.safeEmit('changed', { feature: 'notifications' });
    this.notifications.on('ringing-changed', ringing);
    this.unforward.push(() => this.notifications.off('ringing-changed', ringing));
  }

  /** What open() found: sources, corrupt slots and missed items. */
  get loadReport(): FeaturesLoadReport {
    return structuredClone(this.report);
  }

  /** Sets the device's IANA time zone; alarms keep their wall time and move with it. */
  async setTimeZone(timeZone: string): Promise<void> {
    await this.settings.set({ timeZone });
  }

  /**
   * Resets features by StartDeviceSync name. The request is validated as a whole first (an unknown
   * name: RESET_FEATURE_INVALID, nothing reset); then each named group is reset to its defaults in its
   * own store: NOTIFICATIONS (timers, alarms, ringing, and the pending clock timer), LISTS, BLUETOOTH,
   * VOLUME (back to 5), SETTINGS (note: the time zone returns to UTC, so remaining alarms move with it).
   * A write failure part-way rejects with the groups before it already reset.
   */
  async reset(features: readonly string[]): Promise<ResetReport> {
    const plan = planReset(features);
    const cleared: LocalResetFeature[] = [];
    for (const feature of plan.local) {
      await this.resetOne(feature);
      cleared.push(feature);
    }
    const report: ResetReport = { cleared, notApplicable: plan.notApplicable };
    if (report.notApplicable.length > 0) {
      this.log.info({ notApplicable: report.notApplicable }, 'reset: not device-local state, left to the cloud link');
    }
    this.safeEmit('reset', report);
    return structuredClone(report);
  }

  snapshot(): FeaturesSnapshot {
    return {
      notifications: {
        timers: this.timers.list(),
        alarms: this.alarms.list(),
        ringing: this.alarms.ringing().map((a) => a.id),
      },
      lists: this.lists.snapshot(),
      bluetooth: this.bluetooth.snapshot(),
      volume: this.volume.snapshot(),
      settings: this.settings.snapshot(),
    };
  }

  /** Resolves when every queued write (including ones caused by firing timers) is on flash. */
  async whenIdle(): Promise<void> {
    for (const feature of FEATURE_NAMES) await this.states[feature].idle();
    await this.states.notifications.idle();
  }

  /** Stops the clock timer, refuses further mutations, and waits for pending writes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.deferred) clearImmediate(this.deferred);
    this.notifications.stop();
    for (const off of this.unforward.splice(0)) off();
    await Promise.all(FEATURE_NAMES.map((f) => this.states[f].close()));
  }

  private async start(): Promise<void> {
    const configured = this.settings.get().timeZone;
    const timeZone = this.settings.effectiveTimeZone();
    if (timeZone !== configured) this.log.warn({ configured, using: timeZone }, 'unknown time zone in settings; alarms use UTC');
    this.report.missed = await this.notifications.start(timeZone);
    for (const m of this.report.missed) this.log.info({ kind: m.kind, id: m.item.id, dueAt: m.item.dueAt }, 'missed while off');
    if (this.report.corrupt.length === 0 && this.report.missed.length === 0) return;
    const corrupt = structuredClone(this.report.corrupt);
    const missed = structuredClone(this.report.missed);
    this.deferred = setImmediate(() => {
      this.deferred = undefined;
      for (const c of corrupt) this.safeEmit('storage-corrupt', c);
      for (const m of missed) this.safeEmit('missed', m);
    });
  }

  private async resetOne(feature: LocalResetFeature): Promise<void> {
    switch (feature) {
      case 'NOTIFICATIONS':
        return this.notifications.clear();
      case 'LISTS':
        return this.lists.clear();
      case 'BLUETOOTH':
        return this.bluetooth.clear();
      case 'VOLUME':
        return this.volume.clear();
      case 'SETTINGS':
        return this.settings.clear();
    }
  }

  private forward<K extends 'timer-fired' | 'alarm-fired'>(event: K): void {
    const listener = (...args: LocalFeaturesEvents[K]): void => this.safeEmit(event, ...args);
    (this.notifications.on as (e: K, l: typeof listener) => unknown)(event, listener);
    this.unforward.push(() => (this.notifications.off as (e: K, l: typeof listener) => unknown)(event, listener));
  }

  /**
   * Emits without letting a throwing listener turn a committed change into a rejected promise (or
   * break the clock): the change happened either way, so the listener's error is logged.
   */
  private safeEmit<K extends keyof LocalFeaturesEvents>(event: K, ...args: LocalFeaturesEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: LocalFeaturesEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log.error({ err, event }, 'a local-features listener threw');
    }
  }
}
