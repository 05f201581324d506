import { validate } from '../../../cloud-link/protocol/parse.js';
import {
  DesiredStateSchema,
  ReportedStateSchema,
  ShadowRejectedSchema,
  ShadowUpdateRequestSchema,
  isNetworkSecretPath,
  redactShadowState,
} from '../../../cloud-link/protocol/shadow.js';

const PASSWORD = 'sup3r-secret';

describe('shadow state schemas', () => {
  test('reported state: applied, rejected, network status and device facts', () => {
    const reported = {
      profileVersion: 3,
      applied: { version: 3, at: 1_714_564_800_000 },
      rejected: { version: 4, code: 'PROFILE_REJECTED', reason: 'WakeWord COMPUTER is not available on this device' },
      network: { Ssid: 'Office', SecurityType: 'WPA2_PSK', State: 'FAILED', PasswordSynced: false, Detail: 'INVALID_PASSWORD_STATE' },
      device: { DeviceType: 'trio-8800', SoftwareVersion: '0.1.0', DeviceName: 'Huddle Trio', MacAddress: '00:11:22:AA:bb:cc', Volume: 7, MicOff: true, DoNotDisturb: false },
    };
    expect(validate(ReportedStateSchema, reported)).toEqual({ ok: true, value: reported });
    expect(validate(ReportedStateSchema, { network: { State: 'UP', PasswordSynced: true } })).toMatchObject({ ok: false, message: expect.stringMatching(/^network\.State: /) });
    expect(validate(ReportedStateSchema, { rejected: { version: 1, code: 'bad code', reason: 'x' } })).toMatchObject({ ok: false, message: expect.stringMatching(/^rejected\.code: /) });
    expect(validate(ReportedStateSchema, { device: { DeviceType: 'x', SoftwareVersion: '1', Volume: 11 } }).ok).toBe(false);
    expect(validate(ReportedStateSchema, { desiredByDevice: true }).ok).toBe(false);
  });

  test('desired state is the profiles and their version, nothing else', () => {
    expect(validate(DesiredStateSchema, { profileVersion: 0 }).ok).toBe(true);
    expect(validate(DesiredStateSchema, { profileVersion: -1 }).ok).toBe(false);
    expect(validate(DesiredStateSchema, { volume: 5 })).toMatchObject({ ok: false, message: 'Unrecognized key: "volume"' });
  });

  test('update requests: desired and/or reported patches with nulls; clientToken at most 64 characters', () => {
    expect(validate(ShadowUpdateRequestSchema, { state: { desired: { roomProfile: null }, reported: null }, version: 3, clientToken: 'c' }).ok).toBe(true);
    expect(validate(ShadowUpdateRequestSchema, { state: { reported: {} }, clientToken: '' }).ok).toBe(false);
    expect(validate(ShadowRejectedSchema, { code: 418, message: 'teapot', timestamp: 1 }).ok).toBe(false);
    expect(validate(ShadowRejectedSchema, { code: 429, message: 'Too many requests', timestamp: 1 }).ok).toBe(true);
  });
});

describe('redactShadowState', () => {
  test('removes both passwords from desired and reported network profiles, without touching the input', () => {
    const state = {
      desired: { networkProfile: { Ssid: 'Office', SecurityType: 'WPA2_PSK', CurrentPassword: PASSWORD, NextPassword: `${PASSWORD}2` }, profileVersion: 2 },
      reported: { networkProfile: { Ssid: 'Office', CurrentPassword: PASSWORD }, profileVersion: 1 },
    };
    const copy = JSON.parse(JSON.stringify(state)) as typeof state;
    const redacted = redactShadowState(state);
    expect(redacted).toEqual({
      desired: { networkProfile: { Ssid: 'Office', SecurityType: 'WPA2_PSK' }, profileVersion: 2 },
      reported: { networkProfile: { Ssid: 'Office' }, profileVersion: 1 },
    });
    expect(state).toEqual(copy);
  });

  test('leaves anything without a network profile object as it is', () => {
    expect(redactShadowState({ desired: null, reported: { networkProfile: null } })).toEqual({ desired: null, reported: { networkProfile: null } });
    expect(redactShadowState(undefined)).toBeUndefined();
    expect(redactShadowState({})).toEqual({});
  });

  test('secret paths are exactly the two password fields of the desired network profile', () => {
    expect(isNetworkSecretPath(['networkProfile', 'CurrentPassword'])).toBe(true);
    expect(isNetworkSecretPath(['networkProfile', 'NextPassword'])).toBe(true);
    expect(isNetworkSecretPath(['networkProfile', 'Ssid'])).toBe(false);
    expect(isNetworkSecretPath(['networkProfile'])).toBe(false);
    expect(isNetworkSecretPath(['roomProfile', 'CurrentPassword'])).toBe(false);
  });
});
