import { validate } from '../../../cloud-link/protocol/parse.js';
import {
  TelemetryFalseWakeSchema,
  TelemetryMetricsSchema,
  TelemetryStateSchema,
  TelemetryWakeSchema,
} from '../../../cloud-link/protocol/telemetry.js';

const AT = 1_714_564_800_000;

describe('telemetry', () => {
  test('a state change uses the device state machine vocabulary', () => {
    const change = { seq: 1, at: AT, from: 'IDLE', to: 'LISTENING', input: 'WAKE_WORD', detail: 'alexa' };
    expect(validate(TelemetryStateSchema, change)).toEqual({ ok: true, value: change });
    expect(validate(TelemetryStateSchema, { ...change, to: 'DANCING' })).toMatchObject({ ok: false, message: expect.stringMatching(/^to: /) });
    expect(validate(TelemetryStateSchema, { ...change, input: 'KICK' })).toMatchObject({ ok: false, message: expect.stringMatching(/^input: /) });
  });

  test('a wake event: confirmed true/false, or null when verification was not possible', () => {
    const wake = { seq: 2, at: AT, utteranceId: 4, keyword: 'alexa', score: 0.97, threshold: 0.5, beginIndex: 24_000, endIndex: 31_360, confirmed: true, cloudScore: 0.91 };
    expect(validate(TelemetryWakeSchema, wake).ok).toBe(true);
    expect(validate(TelemetryWakeSchema, { ...wake, confirmed: null, cloudScore: undefined }).ok).toBe(true);
    const { confirmed: _c, ...withoutVerdict } = wake;
    expect(validate(TelemetryWakeSchema, withoutVerdict)).toMatchObject({ ok: false, message: expect.stringMatching(/^confirmed: /) });
    expect(validate(TelemetryWakeSchema, { ...wake, score: 1.5 }).ok).toBe(false);
  });

  test('false wakes and metrics', () => {
    expect(validate(TelemetryFalseWakeSchema, { seq: 3, at: AT, utteranceId: 5, keyword: 'alexa', score: 0.6, cloudScore: 0.1, reason: 'cloud verification' }).ok).toBe(true);
    expect(validate(TelemetryFalseWakeSchema, { seq: 3, at: AT, utteranceId: 5 }).ok).toBe(false);
    const metrics = { seq: 4, at: AT, periodMs: 60_000, uptimeMs: 3_600_000, wakes: 3, falseWakes: 1, utterances: 3, reconnects: 0, outboxDepth: 0, volume: 5, micOff: false, rssMb: 92.5 };
    expect(validate(TelemetryMetricsSchema, metrics).ok).toBe(true);
    expect(validate(TelemetryMetricsSchema, { ...metrics, wakes: -1 }).ok).toBe(false);
    expect(validate(TelemetryMetricsSchema, { ...metrics, cpuTemp: 50 }).ok).toBe(false);
  });
});
