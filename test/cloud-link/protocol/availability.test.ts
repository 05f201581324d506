import { AvailabilitySchema, lastWill, offlinePayload, onlinePayload } from '../../../cloud-link/protocol/availability.js';
import { parsePayload } from '../../../cloud-link/protocol/parse.js';

const AT = 1_714_564_800_000;

describe('availability', () => {
  test('online and offline payloads carry their time and validate', () => {
    expect(parsePayload(AvailabilitySchema, onlinePayload(AT))).toEqual({ ok: true, value: { status: 'online', at: AT, reason: 'connected' } });
    expect(parsePayload(AvailabilitySchema, offlinePayload(AT + 5))).toEqual({ ok: true, value: { status: 'offline', at: AT + 5, reason: 'shutdown' } });
    expect(parsePayload(AvailabilitySchema, 'offline')).toMatchObject({ ok: false, code: 400 });
  });

  test('the last will is a retained QoS 1 offline on the device availability topic', () => {
    const will = lastWill('dev-42', AT);
    expect(will.topic).toBe('echosim/v1/devices/dev-42/availability');
    expect(will.qos).toBe(1);
    expect(will.retain).toBe(true);
    expect(parsePayload(AvailabilitySchema, will.payload)).toEqual({ ok: true, value: { status: 'offline', at: AT, reason: 'connection-lost' } });
    expect(() => lastWill('bad/id', AT)).toThrow(expect.objectContaining({ code: 'DEVICE_ID_INVALID' }));
  });
});
