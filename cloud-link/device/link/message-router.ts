import type { Logger } from '../../../core/log.js';
import { parseTopic } from '../../protocol/topics.js';
import type { MqttMessage } from '../mqtt-connection.js';
import type { JobRunner } from './job-runner.js';
import type { ShadowSync } from './shadow-sync.js';
import type { UtteranceStream } from './utterance-stream.js';

/** The parts of the link that take messages from the cloud (absent before start). */
export interface MessageHandlers {
  shadow: ShadowSync | undefined;
  jobs: JobRunner | undefined;
  utterances: UtteranceStream;
}

/**
 * Hands one incoming MQTT message to the part that owns its topic. The topic is parsed with the
 * protocol's parseTopic, so only exactly this device's cloud-published topics get through; anything
 * else (another device's id, an unknown suffix) is logged and dropped. Payloads are validated by the
 * part that handles them. Never throws: a bug in a handler is logged, and the connection's packet
 * pump (and the PUBACK of this message) carries on.
 */
export function routeMessage(deviceId: string, m: MqttMessage, to: MessageHandlers, log: Logger): void {
  try {
    const t = parseTopic(m.topic);
    if (!t || t.deviceId !== deviceId) {
      log.warn({ topic: m.topic }, "message on a topic that is not this device's; dropped");
      return;
    }
    switch (t.kind) {
      case 'shadow/get/accepted':
      case 'shadow/get/rejected':
      case 'shadow/update/accepted':
      case 'shadow/update/rejected':
      case 'shadow/update/delta':
        to.shadow?.handle(t.kind, m.payload);
        return;
      case 'jobs/notify':
        to.jobs?.onNotify(m.payload);
        return;
      case 'jobs/update/accepted':
      case 'jobs/update/rejected':
        if (t.jobId !== undefined) to.jobs?.onUpdateAnswer(t.kind === 'jobs/update/accepted' ? 'accepted' : 'rejected', t.jobId, m.payload);
        return;
      case 'utterance/verdict':
        if (t.utteranceId !== undefined) to.utterances.onVerdict(t.utteranceId, m.payload);
        return;
      case 'utterance/response':
        if (t.utteranceId !== undefined) to.utterances.onResponse(t.utteranceId, m.payload);
        return;
      case 'utterance/rejected':
        if (t.utteranceId !== undefined) to.utterances.onRejected(t.utteranceId, m.payload);
        return;
      default:
        return; // the device's own topics: it does not subscribe to them
    }
  } catch (err) {
    log.error({ err: String(err), topic: m.topic }, 'message handler failed');
  }
}
