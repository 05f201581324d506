import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../../../core/clock.js';
import type { A4bServiceEvents } from '../../../../cloud-link/cloud/a4b/context.js';
import { A4bService, type A4bServiceOptions } from '../../../../cloud-link/cloud/a4b/service.js';
import { WAKE_WORDS } from '../../../../cloud-link/protocol/room-profile.js';

export type RecordedEvent = { [K in keyof A4bServiceEvents]: { name: K; payload: A4bServiceEvents[K][0] } }[keyof A4bServiceEvents];

export interface Harness {
  dir: string;
  clock: VirtualClock;
  service: A4bService;
  events: RecordedEvent[];
  /** Runs an operation and returns its response typed loosely for assertions. */
  call: (op: string, input?: unknown) => Promise<Record<string, any>>;
  reopen: () => void;
  cleanup: () => void;
}

const EVENT_NAMES: Array<keyof A4bServiceEvents> = ['desired-changed', 'job-created', 'recordings-deleted', 'device-registered', 'device-deregistered', 'bookings-changed'];

/** A service on a fresh temp data dir with a VirtualClock, recording every event it emits. */
export function openHarness(options: Partial<A4bServiceOptions> = {}): Harness {
  const dir = mkdtempSync(path.join(tmpdir(), 'echosim-a4b-'));
  const clock = new VirtualClock();
  const events: RecordedEvent[] = [];
  const h = {} as Harness;
  const open = (): void => {
    // Every WakeWord is available to these API tests (as once every word has a shipped model);
    // tests of the refusal pass `wakeWords` themselves.
    h.service = A4bService.open({ dir, clock, wakeWords: WAKE_WORDS, ...options });
    for (const name of EVENT_NAMES) {
      const record = (payload: unknown): void => void events.push({ name, payload } as RecordedEvent);
      h.service.events.on(name, record as never);
    }
  };
  Object.assign(h, {
    dir,
    clock,
    events,
    call: async (op: string, input: unknown = {}) => (await h.service.call(op, input)) as Record<string, any>,
    reopen: () => {
      h.service.close();
      open();
    },
    cleanup: () => {
      h.service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
  open();
  return h;
}

/** Every byte the data directory holds (database, WAL, key, token), for at-rest checks. */
export function dataDirBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((f) => readFileSync(path.join(dir, f))));
}

export function desiredChangedFor(events: RecordedEvent[]): string[] {
  return events.filter((e) => e.name === 'desired-changed').map((e) => (e.payload as { deviceId: string }).deviceId);
}

export async function expectA4bError(promise: Promise<unknown>, name: string, message?: RegExp | string): Promise<Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeDefined();
  expect((caught as Error).name).toBe(name);
  if (message !== undefined) expect((caught as Error).message).toMatch(message);
  return caught as Error;
}

export const PROFILE = {
  ProfileName: 'Meeting rooms',
  Timezone: 'Europe/Berlin',
  Address: '1 Example Street, Berlin',
  DistanceUnit: 'METRIC',
  TemperatureUnit: 'CELSIUS',
  WakeWord: 'ALEXA',
  Locale: 'en-US',
  MaxVolumeLimit: 7,
  SetupModeDisabled: true,
  PSTNEnabled: false,
  DataRetentionOptIn: true,
  DataRetention: 'DELETE_AFTER_3_MONTHS',
  Earcons: { StartOfRequest: true, EndOfRequest: false },
  MeetingRoomConfiguration: {
    RoomUtilizationMetricsEnabled: true,
    EndOfMeetingReminder: { ReminderAtMinutes: [5], ReminderType: 'CHIME', Enabled: true },
    InstantBooking: { DurationInMinutes: 30, Enabled: true },
    RequireCheckIn: { ReleaseAfterMinutes: 10, Enabled: false },
    ProactiveJoin: { EnabledByMotion: false },
  },
} as const;

export const WIFI_PASSWORD = 'Sup3r-Secret-Wifi!';
export const NEXT_WIFI_PASSWORD = 'N3xt-Rotation-Pass';

export const NETWORK = {
  NetworkProfileName: 'Office Wi-Fi',
  Description: 'main floor',
  Ssid: 'corp-net',
  SecurityType: 'WPA2_PSK',
  CurrentPassword: WIFI_PASSWORD,
} as const;

/** Every string anywhere inside a JSON-like value. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? '';
}
