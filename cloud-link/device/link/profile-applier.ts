import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../../../core/clock.js';
import { isEchosimError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { DeviceControl, WakeWordControl } from '../../../firmware/device/device-control.js';
import type { DeviceSettingsPatch } from '../../../firmware/features/device-settings.js';
import type { PersistentState } from '../../../core/persistent-state.js';
import { canonicalTimeZone } from '../../../firmware/features/zoned-time.js';
import type { NetworkProfile } from '../../protocol/network-profile.js';
import { validate } from '../../protocol/parse.js';
import { DesiredStateSchema, type DesiredState } from '../../protocol/shadow.js';
import type { WifiCredentials, WifiManager, WifiStatus } from '../wifi/wifi-manager.js';
import type { ProfileState } from './link-state.js';

/**
 * Applies the cloud's desired state (room profile, network profile, skills) to a Device, all or
 * nothing.
 *
 * 1. Validate everything before touching anything: the protocol schema (field paths in the reason,
 *    never values, so a bad password is not echoed), then what this device can do: the WakeWord must
 *    be one its spotter has a model for (models/wakeword/registry.ts; a word no head covers is refused
 *    with WAKE_WORD_UNSUPPORTED) and the time zone must be one its ICU knows.
 * 2. Apply the steps that can fail in the order that makes undoing them possible: load the WakeWord's
 *    head (nothing to undo: the spotter has not switched yet), join the network (the only step that
 *    depends on the outside world; a failure rolls back to the previous network), then write the
 *    device settings (earcons and time zone, one flash write), then record the applied state on flash.
 *    A failure at any step undoes the earlier ones, so a refused desired state changes nothing and the
 *    device keeps its last good state.
 * 3. Then what cannot fail: the spotter switches to the WakeWord (at once, or at the end of the request
 *    being captured: firmware/device/wake-word-switch.ts), MaxVolumeLimit (the speaker clamps at once,
 *    the user's chosen volume is kept) and SetupModeDisabled.
 *
 * What the firmware has no setting for (units, address, locale, PSTN, data retention, meeting-room
 * configuration, skills) is kept as the applied profile (`applied`) for whoever needs it and mirrored
 * to the cloud in reported state. Fields a room profile leaves out mean "not set": no MaxVolumeLimit
 * lifts the cloud's limit (back to the device's own, e.g. `--max-volume`), no SetupModeDisabled
 * allows setup, no Earcons turns both tones off (A4B's defaults). A desired state without a room
 * profile (a device in no room) leaves the device's settings as they are; one without a network
 * profile leaves the radio on its current network.
 */

/** A desired state the device runs, with its version (profileVersion, 0 when the cloud sent none). */
export interface AppliedProfile {
  readonly desired: DesiredState;
  readonly version: number;
  /** Epoch ms. */
  readonly at: number;
}

export interface ProfileRejection {
  readonly version: number;
  /** WAKE_WORD_UNSUPPORTED, PROFILE_REJECTED, an A4B Wi-Fi status detail (INVALID_PASSWORD_STATE), ... */
  readonly code: string;
  /** Human-readable, at most 500 characters, never a secret. */
  readonly reason: string;
}

export type ApplyResult = { ok: true; applied: AppliedProfile; changed: boolean } | { ok: false; rejected: ProfileRejection };

export interface ProfileApplierOptions {
  device: DeviceControl;
  wifi: WifiManager;
  state: PersistentState<ProfileState>;
  clock: Clock;
  log: Logger;
  /** Wake words the device's spotter has a model for (A4B names, e.g. ALEXA). */
  supportedWakeWords: readonly string[];
  /** Switches the spotter to a profile's WakeWord (the Device's WakeWordSwitch); without it the words are fixed. */
  wakeWord?: WakeWordControl;
  /** The MaxVolumeLimit to return to when the cloud sets none (the device's own configuration). */
  baselineMaxVolume: number;
}


const CODE_RE = /^[A-Z][A-Z0-9_]{0,63}$/;
const MAX_REASON = 500;

/** Thrown inside a transaction to abort it with a rejection. */
class Refusal extends Error {
  constructor(readonly rejection: ProfileRejection) {
    super(rejection.reason);
  }
}

function rejection(version: number, code: string, reason: string): ProfileRejection {
  const text = reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason || 'refused';
  return { version, code: CODE_RE.test(code) ? code : 'PROFILE_REJECTED', reason: text };
}

/** The Wi-Fi credentials a network profile describes (its name and description stay out). */
export function wifiCredentials(np: NetworkProfile): WifiCredentials {
  return {
    Ssid: np.Ssid,
    SecurityType: np.SecurityType,
    ...(np.CurrentPassword === undefined ? {} : { CurrentPassword: np.CurrentPassword }),
    ...(np.NextPassword === undefined ? {} : { NextPassword: np.NextPassword }),
    ...(np.EapMethod === undefined ? {} : { EapMethod: np.EapMethod }),
    ...(np.CertificateAuthorityArn === undefined ? {} : { CertificateAuthorityArn: np.CertificateAuthorityArn }),
    ...(np.TrustAnchors === undefined ? {} : { TrustAnchors: np.TrustAnchors }),
  };
}

export class ProfileApplier {
  private current: AppliedProfile | undefined;
  private lastRejection: ProfileRejection | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly supported: ReadonlySet<string>;

  constructor(private readonly options: ProfileApplierOptions) {
    this.supported = new Set(options.supportedWakeWords.map((w) => w.toUpperCase()));
  }

  /** The desired state the device runs now (with its passwords: never report or log it as is). */
  get applied(): AppliedProfile | undefined {
    return this.current;
  }

  /** The last desired state refused since the last successful apply. */
  get rejected(): ProfileRejection | undefined {
    return this.lastRejection;
  }

  /** Validates a desired state against the protocol and this device's abilities; changes nothing. */
  check(desired: unknown): { ok: true; value: DesiredState; version: number } | { ok: false; rejected: ProfileRejection } {
    const parsed = validate(DesiredStateSchema, desired, 'desired');
    if (!parsed.ok) return { ok: false, rejected: rejection(salvageVersion(desired), 'PROFILE_REJECTED', `invalid desired state: ${parsed.message}`) };
    const value = parsed.value;
    const version = value.profileVersion ?? 0;
    const room = value.roomProfile;
    if (room) {
      if (!this.supported.has(room.WakeWord)) {
        const words = [...this.supported].sort().join(', ') || 'none';
        return {
          ok: false,
          rejected: rejection(
            version,
            'WAKE_WORD_UNSUPPORTED',
            `WakeWord ${room.WakeWord} is not supported: this device's spotter has a model for ${words} only (supported wake words: ${words})`,
          ),
        };
      }
      if (canonicalTimeZone(room.Timezone) === undefined) {
        return { ok: false, rejected: rejection(version, 'PROFILE_REJECTED', `Timezone ${JSON.stringify(room.Timezone)} is unknown to this device`) };
      }
    }
    return { ok: true, value, version };
  }

  /**
   * Applies `desired` atomically (see the file comment). Without `force`, the same version with the
   * same content is a no-op (`changed: false`). Calls are serialised.
   */
  apply(desired: unknown, options: { force?: boolean } = {}): Promise<ApplyResult> {
    const run = this.tail.then(() => this.applyNow(desired, options.force ?? false));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Boot: re-applies the desired state recorded on flash, before the device reaches the cloud. A
   * network that cannot be joined now is not a refusal here (the room's network may be down); the
   * Wi-Fi status says so. A record this software can no longer accept is left unapplied, with a warning.
   */
  restore(): Promise<AppliedProfile | undefined> {
    const run = this.tail.then(async () => {
      const record = this.options.state.value.applied;
      if (!record) return undefined;
      const checked = this.check(record.desired);
      if (!checked.ok) {
        this.options.log.warn({ version: record.version, code: checked.rejected.code, reason: checked.rejected.reason }, 'stored profile not re-applied');
        return undefined;
      }
      const applied: AppliedProfile = { desired: checked.value, version: record.version, at: record.at };
      const word = checked.value.roomProfile?.WakeWord;
      const control = this.options.wakeWord;
      if (word && control) {
        await control.prepare(word).then(
          (head) => control.request(head),
          (err: unknown) => this.options.log.warn({ wakeWord: word, err: String(err) }, 'stored profile: the spotter keeps its word'),
        );
      }
      const np = checked.value.networkProfile;
      if (np) {
        const status = await this.join(np).catch((err: unknown) => ({ State: 'FAILED', PasswordSynced: false, Detail: String(err) }) as WifiStatus);
        if (status.State !== 'CONNECTED') this.options.log.warn({ state: status.State, detail: status.Detail }, 'stored network profile: not connected');
      }
      await this.writeSettings(checked.value).catch((err: unknown) => this.options.log.warn({ err: String(err) }, 'stored profile: settings not written'));
      this.setLimits(checked.value);
      this.current = applied;
      return applied;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * After a SETTINGS reset: writes the room profile's earcons and time zone again (the reset put
   * them back to the device defaults, which the profile overrides).
   */
  reapplySettings(): Promise<void> {
    const run = this.tail.then(async () => {
      if (this.current) await this.writeSettings(this.current.desired);
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async applyNow(desired: unknown, force: boolean): Promise<ApplyResult> {
    const checked = this.check(desired);
    if (!checked.ok) return this.refuse(checked.rejected);
    const { value: next, version } = checked;
    const prev = this.current;
    if (!force && prev && prev.version === version && isDeepStrictEqual(prev.desired, next)) return { ok: true, applied: prev, changed: false };

    const undo: Array<() => Promise<unknown>> = [];
    try {
      const word = next.roomProfile?.WakeWord;
      const control = this.options.wakeWord;
      const head = word && control ? await control.prepare(word) : undefined;
      const np = next.networkProfile;
      const prevNp = prev?.desired.networkProfile;
      if (np && (force || !isDeepStrictEqual(np, prevNp))) {
        const status = await this.join(np).catch((err: unknown) => {
          throw new Refusal(rejection(version, isEchosimError(err) ? err.code : 'WIFI_UNAVAILABLE', `network ${np.Ssid}: ${(err as Error).message}`));
        });
        if (status.State !== 'CONNECTED') {
          if (prevNp) await this.join(prevNp).catch((err: unknown) => this.options.log.error({ err: String(err) }, 'could not rejoin the previous network'));
          const detail = status.Detail && CODE_RE.test(status.Detail) ? status.Detail : 'AUTHENTICATION_FAILURE';
          throw new Refusal(rejection(version, detail, `could not join network ${np.Ssid} (${status.Detail ?? status.State}); kept the previous network`));
        }
        if (prevNp) undo.push(() => this.join(prevNp));
      }
      const settingsBefore = this.options.device.settings.get();
      if (await this.writeSettings(next)) {
        undo.push(() => this.options.device.settings.set({ earcons: settingsBefore.earcons, timeZone: settingsBefore.timeZone }));
      }
      const record = { desired: next as Record<string, unknown>, version, at: Math.round(this.options.clock.wallNow()) };
      await this.options.state.update((draft) => {
        draft.applied = record;
      });
      if (head) control?.request(head);
      this.setLimits(next);
      this.current = { desired: next, version, at: record.at };
      this.lastRejection = undefined;
      this.options.log.info({ version }, 'profile applied');
      return { ok: true, applied: this.current, changed: true };
    } catch (err) {
      for (const step of undo.reverse()) {
        await step().catch((e: unknown) => this.options.log.error({ err: String(e) }, 'rollback step failed'));
      }
      if (err instanceof Refusal) return this.refuse(err.rejection);
      const code = isEchosimError(err) ? err.code : 'PROFILE_REJECTED';
      return this.refuse(rejection(version, code, `could not apply the profile: ${(err as Error).message}`));
    }
  }

  private refuse(rejected: ProfileRejection): ApplyResult {
    this.lastRejection = rejected;
    this.options.log.warn({ version: rejected.version, code: rejected.code, reason: rejected.reason }, 'profile refused; keeping the last good state');
    return { ok: false, rejected };
  }

  private join(np: NetworkProfile): Promise<WifiStatus> {
    return this.options.wifi.apply(wifiCredentials(np));
  }

  /** Writes the room profile's earcons and time zone when they differ; true when it wrote. */
  private async writeSettings(desired: DesiredState): Promise<boolean> {
    const room = desired.roomProfile;
    if (!room) return false;
    const settings = this.options.device.settings;
    const now = settings.get();
    const earcons = { startOfRequest: room.Earcons?.StartOfRequest ?? false, endOfRequest: room.Earcons?.EndOfRequest ?? false };
    const timeZone = canonicalTimeZone(room.Timezone) ?? room.Timezone;
    const patch: DeviceSettingsPatch = {};
    if (!isDeepStrictEqual(now.earcons, earcons)) patch.earcons = earcons;
    if (canonicalTimeZone(now.timeZone) !== timeZone) patch.timeZone = timeZone;
    if (Object.keys(patch).length === 0) return false;
    // One write: earcons and zone change together or not at all (alarms follow the zone).
    await settings.set(patch);
    return true;
  }

  private setLimits(desired: DesiredState): void {
    const room = desired.roomProfile;
    this.options.device.setMaxVolumeLimit(room?.MaxVolumeLimit ?? this.options.baselineMaxVolume);
    this.options.device.setSetupModeDisabled(room?.SetupModeDisabled ?? false);
  }
}

function salvageVersion(desired: unknown): number {
  const v = typeof desired === 'object' && desired !== null ? (desired as Record<string, unknown>).profileVersion : undefined;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}
