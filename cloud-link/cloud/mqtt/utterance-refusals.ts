import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import type { UtteranceRejected } from '../../protocol/utterance.js';
import { REFUSAL_BURST, REFUSALS_PER_SECOND } from '../../protocol/utterance-limits.js';
import type { CloudClient } from './cloud-client.js';
import type { CloudEventBus } from './cloud-events.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Answers a device's refused utterance messages on utterance/{n}/rejected. Every refusal is counted
 * and emitted as an `utterance-refused` event, but a device flooding the cloud with bad messages gets
 * at most REFUSAL_BURST answers at once and REFUSALS_PER_SECOND after that (a token bucket on the
 * injected clock): the rest are counted, logged at debug level, and not published, so a flood costs
 * the cloud no more outgoing traffic or log lines than a steady trickle. Never throws: publishing
 * is fire and forget.
 */
export class UtteranceRefusals {
  private readonly buckets = new Map<string, Bucket>();
  private refused = 0;
  private published = 0;

  constructor(
    private readonly deps: { client: CloudClient; clock: Clock; bus: CloudEventBus; log: Logger },
    private readonly rate = { perSecond: REFUSALS_PER_SECOND, burst: REFUSAL_BURST },
  ) {}

  /** Refusals so far, and how many of them were published to the device. */
  get counts(): { refused: number; published: number } {
    return { refused: this.refused, published: this.published };
  }

  refuse(deviceId: string, rejection: UtteranceRejected): void {
    this.refused++;
    const publish = this.take(deviceId);
    const { id, code, refused, message, dropped } = rejection;
    this.deps.bus.emit('utterance-refused', { deviceId, utteranceId: id, code, refused, message, dropped, published: publish });
    const fields = { deviceId, id, code, refused, dropped, reason: message };
    if (!publish) {
      this.deps.log.debug(fields, 'utterance message refused (answer rate-limited)');
      return;
    }
    this.published++;
    this.deps.log.warn(fields, 'utterance message refused');
    this.deps.client.publishTo('utterance/rejected', deviceId, JSON.stringify(rejection), { utteranceId: id }).catch((err: unknown) => {
      this.deps.log.warn({ deviceId, id, err: (err as Error).message }, 'utterance refusal not published');
    });
  }

  private take(deviceId: string): boolean {
    const now = this.deps.clock.now();
    const { perSecond, burst } = this.rate;
    const b = this.buckets.get(deviceId) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    // A full bucket is the default state: no entry needs to be kept for it.
    if (b.tokens >= burst) this.buckets.delete(deviceId);
    else this.buckets.set(deviceId, b);
    return ok;
  }
}
