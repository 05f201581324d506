/**
 * SendDeviceCommand end to end on the embedded broker and on Mosquitto: the cloud validates a local
 * command and queues it as a job, a real device (linked-device.ts) runs it on its local features,
 * keeps it on flash, shows it (the volume on the ring), reports the job SUCCEEDED, and reports its
 * volume, do-not-disturb and timers in the shadow; a bad command is refused before anything is
 * queued, and one the device's feature refuses is a FAILED job that changes nothing.
 */
import { ARN_PREFIX } from '../../cloud-link/cloud/a4b/arn.js';
import { BROKER_KINDS } from '../support/mosquitto.js';
import { startTestCloud, type TestCloud } from '../cloud-link/cloud/cloud-fixture.js';
import { linkedDevice, removeDir, type LinkedDevice } from '../cloud-link/device/link/linked-device.js';
import { disposeSharedModels } from '../firmware/device/harness.js';

const arn = (serial: string): string => `${ARN_PREFIX}device/${serial}`;

let t: TestCloud;
let d: LinkedDevice | undefined;
afterEach(async () => {
  if (d) {
    await d.stop().catch(() => undefined);
    removeDir(d.dataDir);
    d = undefined;
  }
  await t.stop();
});
afterAll(async () => {
  await disposeSharedModels();
});

const reportedDevice = (serial: string): Record<string, any> =>
  ((t.cloud.service.shadows.get(serial)?.document as { state?: { reported?: { device?: Record<string, any> } } } | undefined)?.state?.reported?.device ?? {});

describe.each(BROKER_KINDS)('SendDeviceCommand (%s broker)', (kind) => {
  beforeEach(async () => {
    t = await startTestCloud({ brokerKind: kind });
  });

  test('volume, do-not-disturb, earcons, a timer, an alarm and a list item reach the device and its shadow', async () => {
    const secret = await t.register('cmd-1');
    const dev = (d = await linkedDevice({ url: t.cloud.brokerUrl, deviceId: 'cmd-1', secret }));
    await dev.until(() => dev.link.connected, 'connected');
    await dev.until(() => t.events.some((e) => e.name === 'shadow-updated' && e.payload.deviceId === 'cmd-1'), 'first report');

    const commands = [
      { Action: 'SET_VOLUME', Volume: 8 },
      { Action: 'SET_DO_NOT_DISTURB', Enabled: true },
      { Action: 'SET_EARCONS', StartOfRequest: true, EndOfRequest: false },
      { Action: 'START_TIMER', DurationSeconds: 600, Label: 'pasta' },
      { Action: 'SET_ALARM', Time: '07:30', Repeat: 'weekdays' },
      { Action: 'ADD_LIST_ITEM', List: 'shopping', Text: 'milk' },
    ];
    const jobIds: string[] = [];
    for (const Command of commands) jobIds.push((await t.call('SendDeviceCommand', { DeviceArn: arn('cmd-1'), Command })).JobId as string);
    await dev.until(() => jobIds.every((id) => dev.of('job').some((j) => j.jobId === id && j.status === 'SUCCEEDED')), 'every job succeeded');

    const f = dev.device.features;
    expect(dev.device.speaker.volume).toBe(8);
    expect(f.volume.get()).toBe(8);
    expect(f.settings.get()).toMatchObject({ doNotDisturb: true, earcons: { startOfRequest: true, endOfRequest: false } });
    expect(f.timers.list()).toEqual([expect.objectContaining({ label: 'pasta', durationMs: 600_000 })]);
    expect(f.alarms.list()).toEqual([expect.objectContaining({ time: '07:30', repeat: 'weekdays' })]);
    expect(f.lists.snapshot().shopping).toEqual([expect.objectContaining({ text: 'milk' })]);
    expect(t.cloud.service.jobs.get('cmd-1', jobIds[3]!)?.statusDetails).toMatchObject({ timerId: expect.stringMatching(/^timer-/) });

    await dev.until(() => reportedDevice('cmd-1').TimerCount === 1 && reportedDevice('cmd-1').Volume === 8, 'the shadow reports them');
    expect(reportedDevice('cmd-1')).toMatchObject({ Volume: 8, DoNotDisturb: true, TimerCount: 1, Timers: [expect.objectContaining({ Label: 'pasta' })] });
  });

  test('a bad command is refused by the API and queues nothing; one the device refuses fails its job and changes nothing', async () => {
    const secret = await t.register('cmd-2');
    for (const Command of [
      { Action: 'SET_VOLUME', Volume: 11 },
      { Action: 'SET_VOLUME', Volume: '5' },
      { Action: 'START_TIMER', DurationSeconds: 0 },
      { Action: 'START_TIMER', DurationSeconds: 86_401 },
      { Action: 'SET_ALARM', Time: '25:00' },
      { Action: 'ADD_LIST_ITEM', List: 'shopping', Text: 'x'.repeat(257) },
      { Action: 'ADD_LIST_ITEM', List: 'groceries', Text: 'milk' },
      { Action: 'REBOOT' },
      { Action: 'SET_VOLUME', Volume: 3, Extra: 1 },
    ]) {
      await expect(t.call('SendDeviceCommand', { DeviceArn: arn('cmd-2'), Command })).rejects.toMatchObject({ name: 'ValidationException' });
    }
    await expect(t.call('SendDeviceCommand', { DeviceArn: arn('nobody'), Command: { Action: 'SET_VOLUME', Volume: 3 } })).rejects.toMatchObject({ name: 'NotFoundException' });
    expect(t.cloud.service.jobs.list('cmd-2')).toEqual([]);

    const dev = (d = await linkedDevice({ url: t.cloud.brokerUrl, deviceId: 'cmd-2', secret }));
    await dev.until(() => dev.link.connected, 'connected');
    // 100 items is the list's limit on the device: the 101st is refused there, as a FAILED job.
    for (let i = 0; i < 100; i++) await dev.device.features.lists.add('todo', `item ${i}`);
    const { JobId } = await t.call('SendDeviceCommand', { DeviceArn: arn('cmd-2'), Command: { Action: 'ADD_LIST_ITEM', List: 'todo', Text: 'one more' } });
    await dev.until(() => dev.of('job').some((j) => j.jobId === JobId && j.status === 'FAILED'), 'the job failed');
    expect(t.cloud.service.jobs.get('cmd-2', JobId as string)?.statusDetails).toMatchObject({ reason: 'FEATURE_LIMIT_EXCEEDED' });
    expect(dev.device.features.lists.snapshot().todo).toHaveLength(100);
  });
});
