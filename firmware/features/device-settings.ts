import { z } from 'zod';
import { parseInput } from './input.js';
import type { PersistentState } from '../../core/persistent-state.js';
import { canonicalTimeZone } from './zoned-time.js';

/**
 * Device settings kept on the device: Do Not Disturb, the request earcons (both off by default, like
 * an Alexa for Business room profile), the IANA time zone alarms ring in, and a free device name
 * (DeviceName, 2..100 characters).
 */
export const DeviceSettingsSchema = z.object({
  doNotDisturb: z.boolean(),
  earcons: z.object({ startOfRequest: z.boolean(), endOfRequest: z.boolean() }),
  /**
   * Not validated against ICU here: a zone a future ICU drops must not make the whole settings file
   * unreadable. Consumers fall back to UTC for a zone they cannot resolve.
   */
  timeZone: z.string().min(1),
  deviceName: z.string().min(2).max(100),
});
export type DeviceSettingsValue = z.infer<typeof DeviceSettingsSchema>;

export const DEFAULT_DEVICE_NAME = 'Echo';

export function defaultDeviceSettings(): DeviceSettingsValue {
  return {
    doNotDisturb: false,
    earcons: { startOfRequest: false, endOfRequest: false },
    timeZone: 'UTC',
    deviceName: DEFAULT_DEVICE_NAME,
  };
}

/** A validated IANA zone, turned into its canonical spelling ('utc' -> 'UTC'). */
export const TimeZoneSchema = z.string().transform((tz, ctx) => {
  const canonical = canonicalTimeZone(tz);
  if (canonical === undefined) {
    ctx.addIssue({ code: 'custom', message: `unknown IANA time zone ${JSON.stringify(tz)}` });
    return z.NEVER;
  }
  return canonical;
});

const PatchSchema = z.strictObject({
  doNotDisturb: z.boolean().optional(),
  earcons: z.strictObject({ startOfRequest: z.boolean().optional(), endOfRequest: z.boolean().optional() }).optional(),
  timeZone: TimeZoneSchema.optional(),
  deviceName: z.string().trim().min(2).max(100).optional(),
});

/** A partial update; `earcons` may name just one of the two tones. */
export type DeviceSettingsPatch = z.input<typeof PatchSchema>;

/** Called after a time-zone change is on flash, so the alarms can follow (LocalFeatures wires it). */
export type TimeZoneListener = (timeZone: string) => Promise<void>;

export class DeviceSettings {
  constructor(
    private readonly state: PersistentState<DeviceSettingsValue>,
    private readonly onTimeZone: TimeZoneListener = async () => undefined,
  ) {}

  get(): DeviceSettingsValue {
    return structuredClone(this.state.value);
  }

  /**
   * Applies a partial update (unknown keys are refused, so a misspelt setting is an error rather than
   * silently ignored). Resolves with the full settings once they, and any alarms a time-zone change
   * moved, are on flash.
   */
  async set(patch: DeviceSettingsPatch): Promise<DeviceSettingsValue> {
    const p = parseInput(
      PatchSchema,
      patch,
      'device settings',
      'Settable: doNotDisturb, earcons.startOfRequest, earcons.endOfRequest, timeZone (IANA, e.g. Europe/Berlin), deviceName (2..100 characters).',
    );
    const next = await this.state.update((draft) => {
      if (p.doNotDisturb !== undefined) draft.doNotDisturb = p.doNotDisturb;
      if (p.earcons?.startOfRequest !== undefined) draft.earcons.startOfRequest = p.earcons.startOfRequest;
      if (p.earcons?.endOfRequest !== undefined) draft.earcons.endOfRequest = p.earcons.endOfRequest;
      if (p.timeZone !== undefined) draft.timeZone = p.timeZone;
      if (p.deviceName !== undefined) draft.deviceName = p.deviceName;
      return structuredClone(draft);
    });
    if (p.timeZone !== undefined) await this.onTimeZone(next.timeZone);
    return next;
  }

  /** The zone alarms ring in: the setting, or UTC when this runtime cannot resolve it. */
  effectiveTimeZone(): string {
    return canonicalTimeZone(this.state.value.timeZone) ?? 'UTC';
  }

  /** Reset SETTINGS: everything back to its default (the time zone to UTC, which moves the alarms too). */
  async clear(): Promise<void> {
    await this.state.update((draft) => Object.assign(draft, defaultDeviceSettings()));
    await this.onTimeZone(this.effectiveTimeZone());
  }

  snapshot(): DeviceSettingsValue {
    return this.get();
  }
}
