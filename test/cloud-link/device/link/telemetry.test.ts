/**
 * Telemetry through the outbox: every message validates against its schema, `seq` counts each boot's
 * messages in order, metrics come every 60 s of device time, and what could not be sent survives a
 * restart on flash and is delivered by the next boot.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { MosquittoUser } from '../../../../cloud-link/broker/mosquitto-config.js';
import { validate } from '../../../../cloud-link/protocol/parse.js';
import { TelemetryMetricsSchema, TelemetryStateSchema, type TelemetryMetrics, type TelemetryState } from '../../../../cloud-link/protocol/telemetry.js';
import { runDevice } from '../../../../firmware/device/runner.js';
import { startTestBroker, waitUntil, type TestBroker } from '../../../support/mosquitto.js';
import { demoFrom, disposeSharedModels } from '../../../firmware/device/harness.js';
import { GatedSource } from './gated-source.js';
import { linkedDevice, removeDir, secretOf } from './linked-device.js';
import { CLOUD_PASSWORD, ProtocolCloud } from './protocol-cloud.js';

const USERS: MosquittoUser[] = [
  { username: 'tel-1', password: secretOf('tel-1'), role: 'device' },
  { username: 'tel-2', password: secretOf('tel-2'), role: 'device' },
  { username: 'echosim-cloud', password: CLOUD_PASSWORD, role: 'cloud' },
];
const TELEMETRY = ['telemetry/state', 'telemetry/wake', 'telemetry/false-wake', 'telemetry/metrics'] as const;

let broker: TestBroker;
let cloud: ProtocolCloud;
beforeAll(async () => {
  broker = await startTestBroker('embedded', USERS);
  cloud = await ProtocolCloud.connect(broker.url);
});
afterAll(async () => {
  await cloud.close();
  await broker.stop();
  await disposeSharedModels();
});

/** Telemetry bodies of a device in the order the cloud got them, with their kind. */
function telemetry(deviceId: string): Array<{ kind: string; body: Record<string, unknown> }> {
  return cloud.received
    .filter((m) => m.deviceId === deviceId && (TELEMETRY as readonly string[]).includes(m.kind))
    .map((m) => ({ kind: m.kind, body: JSON.parse(m.payload.toString()) as Record<string, unknown> }));
}

test('state changes, a confirmed wake and periodic metrics, each valid against its schema, numbered per boot', async () => {
  const d = await linkedDevice({ url: broker.url, deviceId: 'tel-1' });
  try {
    await d.link.whenSynced();
    cloud.onMessage = (m) => {
      if (m.kind === 'utterance/start' && m.utteranceId !== undefined) {
        void cloud.publish('utterance/verdict', 'tel-1', { id: m.utteranceId, confirmed: true, score: 0.88, threshold: 0.5 }, { utteranceId: m.utteranceId });
      }
    };
    const source = new GatedSource(demoFrom(d.td.model, 0, 1), async () => {
      // The verdict settles the wake report: hold device time until it has reached the cloud.
      if (d.device.state === 'THINKING') await waitUntil(() => cloud.bodies('telemetry/wake', 'tel-1').length > 0, 'the verdict');
    });
    await runDevice(d.device, source, { clock: d.clock });
    await d.clock.advance(60_000);
    await d.until(() => cloud.bodies('telemetry/metrics', 'tel-1').length === 1 && cloud.bodies('telemetry/wake', 'tel-1').length === 1, 'metrics and the wake');

    const got = telemetry('tel-1');
    expect(cloud.invalid).toEqual([]);
    expect(got.map((t) => t.body.seq)).toEqual(got.map((_, i) => i));
    const states = got.filter((t) => t.kind === 'telemetry/state').map((t) => TelemetryStateSchema.parse(t.body) as TelemetryState);
    expect(states.map((s) => `${s.from}>${s.to}:${s.input}`)).toEqual([
      'CONNECTING>IDLE:LINK_UP',
      'IDLE>LISTENING:WAKE_WORD',
      'LISTENING>THINKING:STREAM_ENDED',
      'THINKING>IDLE:THINK_TIMEOUT',
    ]);
    const transitions = d.td.of('state').slice(1);
    expect(states.map((s) => s.at)).toEqual(transitions.map((t) => Math.round(d.clock.wallNow() - d.clock.now() + t.at)));
    expect(cloud.bodies('telemetry/wake', 'tel-1')[0]).toMatchObject({ utteranceId: 1, keyword: 'alexa', confirmed: true, cloudScore: 0.88 });
    const metrics = TelemetryMetricsSchema.parse(cloud.bodies('telemetry/metrics', 'tel-1')[0]) as TelemetryMetrics;
    expect(metrics).toMatchObject({ periodMs: 60_000, wakes: 1, falseWakes: 0, utterances: 1, reconnects: 0, volume: 5, micOff: false });
    expect(metrics.uptimeMs).toBe(60_000);
  } finally {
    cloud.onMessage = undefined;
    await d.stop();
    removeDir(d.dataDir);
  }
});

test('telemetry that could not be sent survives a restart in the outbox and goes out with the next boot', async () => {
  const nowhere = 'mqtt://127.0.0.1:1';
  const first = await linkedDevice({ url: nowhere, deviceId: 'tel-2' });
  const dataDir = first.dataDir;
  try {
    first.device.buttonEdge({ button: 'mic-off', pressed: true }); // CONNECTING -> MIC_OFF
    await first.clock.advance(60_000);
    first.device.buttonEdge({ button: 'mic-off', pressed: false });
    await waitUntil(() => first.link.outboxDepth === 2, 'a state change and a metrics report queued');
    await first.stop();
    expect(existsSync(path.join(dataDir, 'telemetry.journal'))).toBe(true);

    const again = await linkedDevice({ url: broker.url, deviceId: 'tel-2', dataDir });
    try {
      await again.until(() => telemetry('tel-2').length >= 2 && again.link.outboxDepth === 0, 'the old telemetry delivered');
      const got = telemetry('tel-2');
      expect(got.slice(0, 2).map((t) => [t.kind, t.body.seq])).toEqual([
        ['telemetry/state', 0],
        ['telemetry/metrics', 1],
      ]);
      expect(got[0]?.body).toMatchObject({ from: 'CONNECTING', to: 'MIC_OFF', input: 'MIC_OFF', detail: 'button' });
      expect(validate(TelemetryMetricsSchema, got[1]?.body).ok).toBe(true);
      expect(got[1]?.body).toMatchObject({ micOff: true, reconnects: 0, periodMs: 60_000 });
      expect(cloud.invalid).toEqual([]);
    } finally {
      await again.stop();
    }
  } finally {
    removeDir(dataDir);
  }
});
