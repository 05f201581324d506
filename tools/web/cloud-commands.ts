import type { Cloud } from '../../cloud-link/cloud/cloud.js';
import type { CloudClientCommand, CloudServerMessage } from './protocol/cloud-socket.js';

type Action = Exclude<CloudClientCommand, { type: 'auth' } | { type: 'view' }>;
type Result = Extract<CloudServerMessage, { type: 'result' }>;

interface RecordingData {
  RecordingId: string;
  CreatedTime: number;
  DurationInMilliseconds: number;
  SizeInBytes: number;
  Confirmed: boolean | null;
}

/**
 * A cloud page command, run as the Alexa for Business operation the HTTP API would run (same
 * validation, same errors): apply a profile to a room (UpdateRoom), reset a device by feature
 * (StartDeviceSync), list a device's recordings (ListDeviceRecordings: metadata only, there is no
 * operation that returns audio). A refusal is a `result` with ok false and the API's error name.
 */
export async function runCommand(cloud: Cloud, c: Action): Promise<Result> {
  try {
    switch (c.type) {
      case 'apply-profile':
        await cloud.call('UpdateRoom', { RoomArn: c.roomArn, ProfileArn: c.profileArn });
        return { type: 'result', id: c.id, ok: true };
      case 'reset-device':
        await cloud.call('StartDeviceSync', { DeviceArn: c.deviceArn, Features: c.features });
        return { type: 'result', id: c.id, ok: true };
      case 'list-recordings': {
        const out = (await cloud.call('ListDeviceRecordings', { DeviceArn: c.deviceArn, MaxResults: 50 })) as { Recordings: RecordingData[] };
        const recordings = out.Recordings.map((r) => ({
          recordingId: r.RecordingId,
          createdTime: r.CreatedTime,
          durationMs: r.DurationInMilliseconds,
          sizeBytes: r.SizeInBytes,
          confirmed: r.Confirmed,
        }));
        return { type: 'result', id: c.id, ok: true, recordings };
      }
    }
  } catch (err) {
    const e = err as { name?: string; message?: string };
    return { type: 'result', id: c.id, ok: false, code: e.name && e.name !== 'Error' ? e.name : 'WEB_OPERATION_FAILED', message: String(e.message ?? err) };
  }
}
