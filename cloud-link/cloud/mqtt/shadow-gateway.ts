import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import { deviceShadowDelta, getDeviceShadow, replaceDesiredRequest, updateDeviceShadow } from '../../protocol/device-shadow.js';
import { InFlightLimiter } from '../../protocol/in-flight-limiter.js';
import { parsePayload } from '../../protocol/parse.js';
import { shadowRejection, toShadowTimestamp, type ShadowDocument, type ShadowRejected } from '../../protocol/shadow-engine.js';
import { DeviceShadowUpdateRequestSchema, ReportedStateSchema, ShadowGetRequestSchema, type DesiredState, type ReportedState } from '../../protocol/shadow.js';
import type { TopicKind } from '../../protocol/topics.js';
import type { A4bService } from '../a4b/service.js';
import type { CloudClient } from './cloud-client.js';
import type { CloudEventBus } from './cloud-events.js';

/**
 * The cloud's end of the device shadow (docs/device-shadow.md#the-convergence-loop): it writes the registry's desired state into
 * each device's shadow and publishes the delta, answers the device's shadow/get (the only message
 * with the network passwords, sealed to the device's key, on its own topic) and takes its reported
 * updates, and turns what the device reports into A4B's sync status.
 *
 * Every message is handled synchronously against SQLite (one device's requests cannot interleave),
 * then the answers are published; at most `maxInFlight` answers per device may be pending (429).
 */
export class ShadowGateway {
  private readonly limiter: InFlightLimiter;
  /** The last profile version whose outcome was recorded per device, so a repeated report counts once. */
  private readonly recorded = new Map<string, string>();

  constructor(
    private readonly service: A4bService,
    private readonly client: CloudClient,
    private readonly clock: Clock,
    private readonly bus: CloudEventBus,
    private readonly log: Logger,
    maxInFlight?: number,
  ) {
    this.limiter = new InFlightLimiter(maxInFlight);
  }

  /** The device's stored shadow; a deleted one (tombstone) keeps its version so versions never go back. */
  document(deviceId: string): ShadowDocument | undefined {
    const stored = this.service.shadows.get(deviceId);
    if (stored) return stored.document as ShadowDocument;
    const version = this.service.shadows.versionOf(deviceId);
    return version > 0 ? { state: {}, metadata: {}, version, timestamp: 0 } : undefined;
  }

  /** What the device should run: the registry's desired state plus its room's skills. */
  desiredFor(deviceId: string): DesiredState {
    const desired = this.service.desiredStateFor(deviceId) as DesiredState;
    const skills = this.service.skillsFor(deviceId);
    return { ...desired, ...(skills.length > 0 ? { skills } : {}) };
  }

  /**
   * desired-changed: writes the registry's desired state into the shadow (replacing, not merging,
   * so keys the new profile lacks are removed) and publishes the delta. With nothing to change
   * (a resend for a device that came back) the current delta goes out again.
   */
  async pushDesired(deviceId: string): Promise<void> {
    let delta: unknown;
    try {
      const now = this.clock.wallNow();
      const doc = this.document(deviceId);
      const request = replaceDesiredRequest(doc, this.desiredFor(deviceId), `desired-${now}`);
      if (request) {
        const result = updateDeviceShadow(doc, request, { now });
        if (!result.ok) {
          this.log.error({ deviceId, code: result.rejected.code, reason: result.rejected.message }, 'the desired state does not fit the shadow');
          this.service.recordSync(deviceId, { ok: false, detail: `desired state refused by the shadow: ${result.rejected.message}` });
          return;
        }
        this.service.shadows.put(deviceId, result.doc, result.doc.version);
        this.bus.emit('shadow-updated', { deviceId, version: result.doc.version, by: 'cloud' });
        void this.publish('shadow/update/documents', deviceId, result.documents);
        delta = result.delta;
      } else if (doc) {
        const pending = deviceShadowDelta(doc);
        if (pending) delta = { state: pending, metadata: {}, version: doc.version, timestamp: toShadowTimestamp(now) };
      }
    } catch (err) {
      // the device was deregistered between the event and now, or the database is closing
      this.log.warn({ deviceId, err: (err as Error).message }, 'desired state not written');
      return;
    }
    if (delta !== undefined && !(await this.publish('shadow/update/delta', deviceId, delta))) {
      this.service.recordSync(deviceId, { ok: false, detail: 'the cloud could not publish the delta (broker unreachable)' });
    }
  }

  /** shadow/update from the device: reported state only. */
  async onUpdate(deviceId: string, payload: Buffer): Promise<void> {
    const release = this.limiter.tryAcquire(deviceId);
    const now = this.clock.wallNow();
    if (!release) return void (await this.reject(deviceId, 'shadow/update/rejected', shadowRejection(429, 'Too many requests', now)));
    try {
      const parsed = parsePayload(DeviceShadowUpdateRequestSchema, payload);
      if (!parsed.ok) {
        const token = salvageToken(payload);
        return void (await this.reject(deviceId, 'shadow/update/rejected', shadowRejection(parsed.code, parsed.message, now, token)));
      }
      let result;
      try {
        result = updateDeviceShadow(this.document(deviceId), parsed.value, { now });
        if (result.ok) this.service.shadows.put(deviceId, result.doc, result.doc.version);
      } catch (err) {
        this.log.warn({ deviceId, err: (err as Error).message }, 'reported state not stored');
        return void (await this.reject(deviceId, 'shadow/update/rejected', shadowRejection(500, 'the cloud could not store the update; retry', now, parsed.value.clientToken)));
      }
      if (!result.ok) return void (await this.reject(deviceId, 'shadow/update/rejected', result.rejected));
      this.bus.emit('shadow-updated', { deviceId, version: result.doc.version, by: 'device' });
      this.noteReported(deviceId, result.doc);
      await Promise.all([this.publish('shadow/update/accepted', deviceId, result.accepted), this.publish('shadow/update/documents', deviceId, result.documents)]);
    } finally {
      release();
    }
  }

  /**
   * shadow/get from the device: the whole document on its own topic, its passwords sealed to the
   * public key the request carries (so no broker or broker persistence holds them in the clear). A
   * request without a usable key is refused with 400 and nothing secret is sent.
   */
  async onGet(deviceId: string, payload: Buffer): Promise<void> {
    const release = this.limiter.tryAcquire(deviceId);
    const now = this.clock.wallNow();
    if (!release) return void (await this.reject(deviceId, 'shadow/get/rejected', shadowRejection(429, 'Too many requests', now)));
    try {
      const parsed = parsePayload(ShadowGetRequestSchema, payload.length === 0 ? '{}' : payload);
      if (!parsed.ok) return void (await this.reject(deviceId, 'shadow/get/rejected', shadowRejection(parsed.code, parsed.message, now, salvageToken(payload))));
      const { clientToken: token, publicKey } = parsed.value;
      const got = getDeviceShadow(this.document(deviceId), { now, recipient: { deviceId, publicKey }, ...(token === undefined ? {} : { clientToken: token }) });
      if (!got.ok) return void (await this.reject(deviceId, 'shadow/get/rejected', got.rejected));
      if (await this.publish('shadow/get/accepted', deviceId, got.accepted)) {
        this.log.debug({ deviceId, version: got.accepted.version, sealed: got.accepted.secrets !== undefined }, 'shadow sent to the device');
      }
    } finally {
      release();
    }
  }

  /** Sync status and device facts from a reported state that just changed. */
  private noteReported(deviceId: string, doc: ShadowDocument): void {
    const checked = ReportedStateSchema.safeParse(doc.state.reported ?? {});
    if (!checked.success) return;
    const reported: ReportedState = checked.data;
    const wanted = (doc.state.desired as DesiredState | undefined)?.profileVersion;
    if (reported.device) {
      try {
        this.service.reportDeviceInfo(deviceId, { SoftwareVersion: reported.device.SoftwareVersion, ...(reported.device.MacAddress ? { MacAddress: reported.device.MacAddress } : {}) });
      } catch (err) {
        this.log.warn({ deviceId, err: (err as Error).message }, 'device info not stored');
      }
    }
    if (wanted === undefined) return;
    const key = (outcome: string): string => `${wanted}:${outcome}`;
    if (reported.profileVersion === wanted && reported.applied?.version === wanted) {
      if (this.recorded.get(deviceId) === key('ok')) return;
      this.recorded.set(deviceId, key('ok'));
      this.service.recordSync(deviceId, { ok: true });
      this.bus.emit('profile-applied', { deviceId, version: wanted, at: reported.applied.at });
    } else if (reported.rejected?.version === wanted) {
      if (this.recorded.get(deviceId) === key('rejected')) return;
      this.recorded.set(deviceId, key('rejected'));
      const { code, reason } = reported.rejected;
      this.service.recordSync(deviceId, { ok: false, detail: code === 'PROFILE_REJECTED' ? reason : code });
      this.bus.emit('profile-rejected', { deviceId, version: wanted, code, reason });
    }
  }

  private async reject(deviceId: string, kind: TopicKind, rejected: ShadowRejected): Promise<void> {
    this.log.info({ deviceId, kind, code: rejected.code, reason: rejected.message }, 'shadow request rejected');
    this.bus.emit('shadow-rejected', { deviceId, kind, code: rejected.code, message: rejected.message });
    await this.publish(kind, deviceId, rejected);
  }

  /** Publishes JSON to the device; false (logged) when the broker did not take it. */
  private async publish(kind: TopicKind, deviceId: string, body: unknown): Promise<boolean> {
    try {
      await this.client.publishTo(kind, deviceId, JSON.stringify(body));
      return true;
    } catch (err) {
      this.log.warn({ deviceId, kind, err: (err as Error).message }, 'shadow message not published');
      return false;
    }
  }
}

/** A rejected request's clientToken, when its JSON is readable, so the device can match the answer. */
function salvageToken(payload: Buffer): string | undefined {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { clientToken?: unknown };
    return typeof v.clientToken === 'string' && v.clientToken.length > 0 && v.clientToken.length <= 64 ? v.clientToken : undefined;
  } catch {
    return undefined;
  }
}
