import type { Logger } from '../../../core/log.js';
import { parseTopic } from '../../protocol/topics.js';
import type { HomeAssistantBridge } from '../home-assistant/ha-bridge.js';
import type { JobGateway } from './job-gateway.js';
import type { Presence } from './presence.js';
import type { ShadowGateway } from './shadow-gateway.js';
import type { StrayRetained } from './stray-retained.js';
import type { TelemetrySink } from './telemetry-sink.js';
import type { UtteranceGateway } from './utterance-gateway.js';

/** The cloud's MQTT parts, each owning some of a device's topics; absent ones drop their messages. */
export interface DeviceMessageHandlers {
  shadows: ShadowGateway | undefined;
  jobs: JobGateway | undefined;
  presence: Presence | undefined;
  telemetry: TelemetrySink;
  utterances: UtteranceGateway | undefined;
  strayRetained: StrayRetained | undefined;
  /** Messages outside the device topics (Home Assistant's birth and commands). */
  homeAssistant: HomeAssistantBridge | undefined;
  log: Logger;
}

export interface InboundMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

/**
 * One message from the broker, to the part that owns its topic. Never throws: a handler's failure
 * is logged with the device and the topic kind, and the next message is handled as usual.
 */
export async function routeDeviceMessage(h: DeviceMessageHandlers, m: InboundMessage): Promise<void> {
  const t = parseTopic(m.topic);
  if (!t) {
    h.homeAssistant?.onMessage(m.topic, m.payload);
    return;
  }
  if (h.strayRetained?.check(m)) return;
  const id = t.deviceId;
  try {
    switch (t.kind) {
      case 'shadow/update':
        return await h.shadows?.onUpdate(id, m.payload);
      case 'shadow/get':
        return await h.shadows?.onGet(id, m.payload);
      case 'jobs/update':
        return await h.jobs?.onUpdate(id, t.jobId ?? '', m.payload);
      case 'availability':
        if (h.presence?.onAvailability(id, m.payload, m.retain) === 'ONLINE') await h.jobs?.notify(id);
        return;
      case 'telemetry/state':
      case 'telemetry/wake':
      case 'telemetry/false-wake':
      case 'telemetry/metrics':
        return h.telemetry.onTelemetry(id, t.kind.slice('telemetry/'.length) as 'state', m.payload);
      case 'utterance/start':
        return await h.utterances?.onStart(id, t.utteranceId ?? -1, m.payload);
      case 'utterance/audio':
        return await h.utterances?.onAudio(id, t.utteranceId ?? -1, m.payload);
      case 'utterance/end':
        return await h.utterances?.onEnd(id, t.utteranceId ?? -1, m.payload);
      default:
        return; // the cloud's own messages, echoed by nothing we subscribe to
    }
  } catch (err) {
    h.log.error({ deviceId: id, kind: t.kind, err: (err as Error).message }, 'device message not handled');
  }
}
