import { deviceShadowDelta, getDeviceShadow, replaceDesiredRequest, updateDeviceShadow } from '../../../cloud-link/protocol/device-shadow.js';
import { redactNetworkProfile, type NetworkProfile } from '../../../cloud-link/protocol/network-profile.js';
import { parsePayload } from '../../../cloud-link/protocol/parse.js';
import type { RoomProfile } from '../../../cloud-link/protocol/room-profile.js';
import { DeviceShadowUpdateRequestSchema, ShadowGetAcceptedSchema, ShadowUpdateAcceptedSchema, ShadowUpdateDeltaSchema, ShadowUpdateDocumentsSchema } from '../../../cloud-link/protocol/shadow.js';
import type { ShadowDocument } from '../../../cloud-link/protocol/shadow-engine.js';
import { mergeDesiredSecrets, type DesiredSecrets } from '../../../cloud-link/protocol/desired-secrets.js';
import { generateDeviceKeyPair, openSecrets } from '../../../cloud-link/protocol/sealed-secrets.js';

const NOW = 1_714_564_800_000;
const PASSWORD = 'hunter2-Office';
const NEXT = 'n3xt-Office-pw';
const KEYS = generateDeviceKeyPair();
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The same 32 bytes with one of the last character's two unused bits set: not canonical base64url. */
const nonCanonical = (key: string): string => key.slice(0, 42) + B64URL[B64URL.indexOf(key[42]!) ^ 1];
const SKILLS = ['amzn1.ask.skill.0a1b2c3d-0000-1111-2222-333344445555'];

const room: RoomProfile = {
  ProfileName: 'Huddle',
  Timezone: 'America/Chicago',
  Address: '1 Main St',
  DistanceUnit: 'IMPERIAL',
  TemperatureUnit: 'FAHRENHEIT',
  WakeWord: 'ECHO',
  MaxVolumeLimit: 6,
};
const network: NetworkProfile = { NetworkProfileName: 'Office', Ssid: 'Office', SecurityType: 'WPA2_PSK', CurrentPassword: PASSWORD };

function ok<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error(`expected ok: ${JSON.stringify(r)}`);
  return r as Extract<T, { ok: true }>;
}

/** What the device would send after applying desired state at `version`. */
function deviceReport(version: number, at: number) {
  return {
    state: {
      reported: {
        roomProfile: room,
        networkProfile: redactNetworkProfile(network),
        skills: SKILLS,
        profileVersion: version,
        applied: { version, at },
        network: { Ssid: 'Office', SecurityType: 'WPA2_PSK', State: 'CONNECTED', PasswordSynced: true },
        device: { DeviceType: 'echo-dot-3', SoftwareVersion: '0.1.0', Volume: 5, MicOff: false },
      },
    },
    clientToken: `report-${version}`,
  };
}

describe('the echosim device shadow', () => {
  test('a profile flashed by the cloud converges; passwords reach only shadow/get for the device', () => {
    const flashed = ok(
      updateDeviceShadow(undefined, { state: { desired: { roomProfile: room, networkProfile: network, skills: SKILLS, profileVersion: 1 } } }, { now: NOW }),
    );
    // Observers' copies and the delta hold no password, and each is a valid message.
    for (const [schema, msg] of [
      [ShadowUpdateAcceptedSchema, flashed.accepted],
      [ShadowUpdateDocumentsSchema, flashed.documents],
      [ShadowUpdateDeltaSchema, flashed.delta],
    ] as const) {
      expect(JSON.stringify(msg)).not.toContain(PASSWORD);
      expect(schema.safeParse(msg).success).toBe(true);
    }
    expect(flashed.delta?.state).toEqual({ roomProfile: room, networkProfile: redactNetworkProfile(network), skills: SKILLS, profileVersion: 1 });

    // The device reads the whole shadow: passwords sealed to its key, the rest (and the delta) without them.
    const forDevice = ok(getDeviceShadow(flashed.doc, { now: NOW, clientToken: 'get-1', recipient: { deviceId: 'dev-1', publicKey: KEYS.publicKey } })).accepted;
    expect(JSON.stringify(forDevice)).not.toContain(PASSWORD);
    expect(forDevice.state.desired?.networkProfile).toEqual(redactNetworkProfile(network));
    expect(forDevice.clientToken).toBe('get-1');
    expect(ShadowGetAcceptedSchema.safeParse(forDevice).success).toBe(true);
    const secrets = openSecrets(forDevice.secrets, KEYS, { deviceId: 'dev-1', clientToken: 'get-1', version: forDevice.version });
    expect(mergeDesiredSecrets(forDevice.state.desired, secrets as DesiredSecrets)).toEqual(flashed.doc.state.desired);
    const forApi = ok(getDeviceShadow(flashed.doc, { now: NOW })).accepted;
    expect(JSON.stringify(forApi)).not.toContain(PASSWORD);
    expect(forApi.secrets).toBeUndefined();

    // The device reports what it applied (over MQTT, so through the device request schema): in sync.
    const report = parsePayload(DeviceShadowUpdateRequestSchema, JSON.stringify(deviceReport(1, NOW + 800)));
    const reported = ok(updateDeviceShadow(flashed.doc, ok(report).value, { now: NOW + 1000 }));
    expect(reported.accepted.clientToken).toBe('report-1');
    expect(reported.delta).toBeUndefined();
    expect(deviceShadowDelta(reported.doc)).toBeUndefined();
    expect(reported.doc.version).toBe(2);
  });

  test('a password rotation shows in the delta only as a new profileVersion', () => {
    const v1 = ok(updateDeviceShadow(undefined, { state: { desired: { roomProfile: room, networkProfile: network, profileVersion: 1 } } }, { now: NOW })).doc;
    const synced = ok(updateDeviceShadow(v1, deviceReport(1, NOW), { now: NOW })).doc;
    const rotated = ok(
      updateDeviceShadow(synced, { state: { desired: { networkProfile: { NextPassword: NEXT }, profileVersion: 2 } }, version: synced.version }, { now: NOW }),
    );
    expect(rotated.delta?.state).toEqual({ profileVersion: 2 });
    expect(JSON.stringify([rotated.accepted, rotated.delta, rotated.documents])).not.toContain(NEXT);
    const got = ok(getDeviceShadow(rotated.doc, { now: NOW, recipient: { deviceId: 'dev-1', publicKey: KEYS.publicKey } })).accepted;
    expect(JSON.stringify(got)).not.toContain(NEXT);
    const secrets = openSecrets(got.secrets, KEYS, { deviceId: 'dev-1', version: got.version });
    expect(mergeDesiredSecrets(got.state.desired, secrets as DesiredSecrets)?.networkProfile).toEqual({ ...network, NextPassword: NEXT });
  });

  test('shadow/get for a key that is not a usable X25519 key is a 400 with nothing sealed', () => {
    const doc = ok(updateDeviceShadow(undefined, { state: { desired: { networkProfile: network, profileVersion: 1 } } }, { now: NOW })).doc;
    const lowOrder = Buffer.alloc(32).toString('base64url'); // the all-zero point: its shared secret would be zeros
    for (const publicKey of [lowOrder, 'short', `${KEYS.publicKey.slice(0, 42)}=`, nonCanonical(KEYS.publicKey)]) {
      const got = getDeviceShadow(doc, { now: NOW, clientToken: 'bad-key', recipient: { deviceId: 'dev-1', publicKey } });
      expect(got).toMatchObject({ ok: false, rejected: { code: 400, clientToken: 'bad-key', message: expect.stringMatching(/^publicKey: /) } });
      expect(JSON.stringify(got)).not.toContain(PASSWORD);
    }
    // A shadow without secrets needs no sealing, but the answer is still the redacted one.
    const plain = ok(updateDeviceShadow(undefined, { state: { desired: { roomProfile: room } } }, { now: NOW })).doc;
    expect(ok(getDeviceShadow(plain, { now: NOW, recipient: { deviceId: 'dev-1', publicKey: KEYS.publicKey } })).accepted.secrets).toBeUndefined();
  });

  test('invalid desired state is refused with 400 and the field path; the stored document stays as it was', () => {
    const v1 = ok(updateDeviceShadow(undefined, { state: { desired: { roomProfile: room, profileVersion: 1 } } }, { now: NOW })).doc;
    const before = JSON.stringify(v1);
    const bad = updateDeviceShadow(v1, { state: { desired: { roomProfile: { MaxVolumeLimit: 11 }, profileVersion: 2 } } }, { now: NOW });
    expect(bad).toMatchObject({ ok: false, rejected: { code: 400, message: expect.stringMatching(/^state\.desired\.roomProfile\.MaxVolumeLimit: /) } });
    const { CurrentPassword: _dropped, ...withoutPassword } = network;
    const noPassword = updateDeviceShadow(v1, { state: { desired: { networkProfile: withoutPassword } } }, { now: NOW });
    expect(noPassword).toMatchObject({ ok: false, rejected: { code: 400, message: expect.stringContaining('CurrentPassword is required') } });
    expect(JSON.stringify(v1)).toBe(before);
  });

  test('reported state can never hold a password', () => {
    const leaky = { state: { reported: { networkProfile: network } } };
    const r = updateDeviceShadow(undefined, leaky, { now: NOW });
    expect(r).toMatchObject({ ok: false, rejected: { code: 400, message: expect.stringContaining('CurrentPassword') } });
    expect(JSON.stringify(r)).not.toContain(PASSWORD);
    const inNetwork = updateDeviceShadow(undefined, { state: { reported: { network: { State: 'CONNECTED', PasswordSynced: true, Password: PASSWORD } } } }, { now: NOW });
    expect(inNetwork.ok).toBe(false);
  });

  test('a device cannot write desired state over MQTT: its request schema has only reported', () => {
    const r = parsePayload(DeviceShadowUpdateRequestSchema, JSON.stringify({ state: { desired: { profileVersion: 9 } } }));
    expect(r).toMatchObject({ ok: false, code: 400, message: expect.stringContaining('Unrecognized key: "desired"') });
  });

  test('a stale version from the API is a 409 with the document unchanged', () => {
    const v1 = ok(updateDeviceShadow(undefined, { state: { desired: { roomProfile: room, profileVersion: 1 } } }, { now: NOW })).doc;
    const v2: ShadowDocument = ok(updateDeviceShadow(v1, deviceReport(1, NOW), { now: NOW })).doc;
    const r = updateDeviceShadow(v2, { state: { desired: { profileVersion: 2 } }, version: v1.version }, { now: NOW });
    expect(r).toMatchObject({ ok: false, rejected: { code: 409, message: 'Version conflict' } });
  });

  test('replaceDesiredRequest swaps a whole profile: fields the new one lacks are deleted, the version guards it', () => {
    const first = { roomProfile: { ...room, MaxVolumeLimit: 4, PSTNEnabled: true }, profileVersion: 1 };
    const v1 = ok(updateDeviceShadow(undefined, replaceDesiredRequest(undefined, first), { now: NOW })).doc;
    expect(v1.state.desired).toEqual(first);
    const second = { roomProfile: { ...room, MaxVolumeLimit: undefined, PSTNEnabled: undefined }, profileVersion: 2 };
    const request = replaceDesiredRequest(v1, second, 'swap');
    expect(request).toEqual({ state: { desired: { roomProfile: { MaxVolumeLimit: null, PSTNEnabled: null }, profileVersion: 2 } }, version: 1, clientToken: 'swap' });
    const { MaxVolumeLimit: _m, ...withoutLimit } = room;
    expect(ok(updateDeviceShadow(v1, request, { now: NOW })).doc.state.desired).toEqual({ roomProfile: withoutLimit, profileVersion: 2 });
    expect(replaceDesiredRequest(v1, first)).toBeUndefined();
    // Built from a stale document, the request is refused instead of overwriting a newer desired state.
    const v2 = ok(updateDeviceShadow(v1, request, { now: NOW })).doc;
    expect(updateDeviceShadow(v2, replaceDesiredRequest(v1, { profileVersion: 3 }), { now: NOW })).toMatchObject({ ok: false, rejected: { code: 409 } });
  });
});
