import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../../core/package-root.js';
import type { DeviceControl } from '../../../firmware/device/device-control.js';
import { redactNetworkProfile } from '../../protocol/network-profile.js';
import { WAKE_WORDS, type WakeWord } from '../../protocol/room-profile.js';
import { MAX_REPORTED_TIMERS, type ReportedState } from '../../protocol/shadow.js';
import type { Timer } from '../../../firmware/features/notifications-schema.js';
import type { WifiStatus } from '../wifi/wifi-manager.js';
import type { AppliedProfile, ProfileRejection } from './profile-applier.js';

/**
 * The device's `state.reported` (cloud-link/protocol/shadow.ts ReportedStateSchema), built from what
 * it actually runs. Pure, so what goes on the wire is easy to check.
 *
 * - After an apply: the applied room profile, network profile *without its passwords*, skills and
 *   profileVersion (so the cloud's delta empties), `applied: {version, at}`, `rejected: null`.
 * - After a refusal: the same last good state (unchanged, profileVersion included) plus
 *   `rejected: {version, code, reason}`; the cloud matches rejected.version against its desired version.
 * - Keys the applied state lacks are sent as null, which deletes them from the shadow, so a room
 *   profile the cloud removed does not linger in reported.
 * - `network`: the Wi-Fi status, only once a network profile was applied (before that the radio is
 *   not the device's to report). `device`: model, software version, volume, mic switch, DND, name, the timers
 *   (how many, the soonest MAX_REPORTED_TIMERS), and the WakeWord its spotter runs now (a switch asked for
 *   during a request waits for its end).
 *
 * The result never holds a password: the network profile goes through redactNetworkProfile, and the
 * Wi-Fi status interface has no field for one.
 */
export type ReportedPatch = { [K in keyof ReportedState]-?: ReportedState[K] | null };

const DETAIL_RE = /^[A-Z][A-Z0-9_]{0,63}$/;

export function reportedNetwork(status: WifiStatus): NonNullable<ReportedState['network']> {
  return {
    ...(status.Ssid === undefined ? {} : { Ssid: status.Ssid }),
    ...(status.SecurityType === undefined ? {} : { SecurityType: status.SecurityType }),
    State: status.State,
    PasswordSynced: status.PasswordSynced,
    // Only A4B-style codes: a driver's free text (an nmcli message) is not a status detail.
    ...(status.Detail !== undefined && DETAIL_RE.test(status.Detail) ? { Detail: status.Detail } : {}),
  };
}

/** Device facts for reported.device; tolerant of a device that has stopped (no features then). */
export function deviceInfo(device: DeviceControl, softwareVersion: string): NonNullable<ReportedState['device']> {
  let settings: { deviceName: string; doNotDisturb: boolean } | undefined;
  try {
    settings = device.settings.get();
  } catch {
    settings = undefined;
  }
  const name = settings?.deviceName;
  let timers: Timer[] = [];
  try {
    timers = device.features.timers.list();
  } catch {
    timers = [];
  }
  const soonest = [...timers].sort((a, b) => a.dueAt - b.dueAt).slice(0, MAX_REPORTED_TIMERS);
  const word = device.wakeWord?.wakeWord;
  return {
    DeviceType: device.model.id,
    SoftwareVersion: softwareVersion,
    ...(name !== undefined && name.length >= 2 && name.length <= 100 ? { DeviceName: name } : {}),
    Volume: device.volume,
    MicOff: !device.microphonesOn,
    ...(settings ? { DoNotDisturb: settings.doNotDisturb } : {}),
    TimerCount: timers.length,
    Timers: soonest.map((t) => ({ Id: t.id, ...(t.label ? { Label: t.label } : {}), DueAt: t.dueAt })),
    ...(word !== undefined && (WAKE_WORDS as readonly string[]).includes(word) ? { WakeWord: word as WakeWord } : {}),
  };
}

export interface ReportInput {
  applied: AppliedProfile | undefined;
  rejected: ProfileRejection | undefined;
  wifi: WifiStatus;
  device: NonNullable<ReportedState['device']>;
}

/** The full reported patch for a shadow/update. */
export function reportedState(input: ReportInput): ReportedPatch {
  const desired = input.applied?.desired;
  const np = desired?.networkProfile;
  return {
    roomProfile: desired?.roomProfile ?? null,
    networkProfile: np ? redactNetworkProfile(np) : null,
    skills: desired?.skills ?? null,
    profileVersion: input.applied?.version ?? null,
    applied: input.applied ? { version: input.applied.version, at: input.applied.at } : null,
    rejected: input.rejected ? { ...input.rejected } : null,
    network: np ? reportedNetwork(input.wifi) : null,
    device: input.device,
  };
}

/** What a device with no shadow yet reports (shadow/get answered 404): its facts only. */
export function deviceOnlyState(device: NonNullable<ReportedState['device']>): Pick<ReportedPatch, 'device'> {
  return { device };
}

/** The reported patch without its nulls: what the shadow will hold, for validation. */
export function withoutNulls<T extends Record<string, unknown>>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null)) as Partial<T>;
}

/** The echosim package version: the device's SoftwareVersion unless the caller names another. */
export function echosimVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' && pkg.version.length > 0 ? pkg.version.slice(0, 64) : 'unknown';
  } catch {
    return 'unknown';
  }
}
