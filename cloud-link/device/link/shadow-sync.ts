import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import { mergeDesiredSecrets } from '../../protocol/desired-secrets.js';
import { parsePayload, validate } from '../../protocol/parse.js';
import {
  DeviceShadowUpdateRequestSchema,
  ReportedStateSchema,
  ShadowRejectedSchema,
  ShadowUpdateAcceptedSchema,
  ShadowUpdateDeltaSchema,
  type ReportedState,
} from '../../protocol/shadow.js';
import type { DeviceTopics, TopicKind } from '../../protocol/topics.js';
import type { BackoffOptions } from '../../mqtt/backoff.js';
import type { WifiStatus } from '../wifi/wifi-manager.js';
import type { DeviceKey } from './device-key.js';
import type { ProfileApplier, ProfileRejection } from './profile-applier.js';
import { deviceOnlyState, reportedState, withoutNulls } from './reported-state.js';
import { RequestTokens } from './request-tokens.js';
import { RequestWatch } from './request-watch.js';
import type { LinkTransport, MalformedMessage } from './transport.js';

/**
 * The convergence loop between the device and its shadow (docs/device-shadow.md#the-convergence-loop):
 *
 *   CONNECTED, delta, resync ──► shadow/get {clientToken}
 *   shadow/get/accepted ──► apply desired if its profileVersion is not the applied one (or a delta
 *                           says reported differs) ──► shadow/update {reported, version}
 *   shadow/get/rejected 404 ──► nothing to apply: report device facts only
 *   shadow/update/accepted ──► converged (`synced`)
 *   shadow/update/rejected 409 ──► get again (desired moved on meanwhile) and report again
 *                          429/500 ──► get again after a backoff on the Clock
 *                          400/413 ──► logged and reported as an event; retrying cannot help
 *
 * Why a get every time: a delta never carries the network passwords (and may be stale); get/accepted
 * is the one message with the whole desired state, its passwords sealed to the public key the get
 * carried (device-key.ts), so they cross no broker in the clear. Why re-get on every CONNECTED: with
 * QoS 1, a persistent session and this re-get, a broker restart at any point (mid-apply, between the
 * apply and the report) still ends with the shadow reporting what the device runs. Answers are matched by
 * clientToken; a later request's answer supersedes an earlier one's, answers for another boot's
 * requests are ignored, and a request unanswered after `requestTimeoutMs` is re-sent after a backoff
 * on the Clock (as are 429 and 500).
 *
 * The report carries the shadow version the get returned, so a desired change that slipped in
 * between comes back as a 409 instead of the device claiming to run a document it never saw.
 *
 * get/accepted is read with a loose envelope and its desired state validated by the applier, so a
 * desired state this device cannot parse is reported as `rejected` (with the field paths) instead of
 * being dropped as a malformed message and never answered.
 */

const GetAcceptedEnvelope = z.object({
  state: z.object({
    desired: z.record(z.string(), z.unknown()).optional(),
    reported: z.record(z.string(), z.unknown()).optional(),
    delta: z.record(z.string(), z.unknown()).optional(),
  }),
  version: z.int().min(0),
  clientToken: z.string().optional(),
  secrets: z.unknown().optional(),
});
type GetAccepted = z.infer<typeof GetAcceptedEnvelope>;

export interface ShadowSyncEvents {
  'profile-applied': [{ version: number; at: number }];
  'profile-rejected': [ProfileRejection];
  /** The shadow accepted the device's report. */
  reported: [{ shadowVersion: number; profileVersion?: number; rejectedVersion?: number }];
  /** A shadow request was refused for good (400, 413) or an unexpected code. */
  'shadow-rejected': [{ request: 'get' | 'update'; code: number; message: string }];
  /** The first full round (get, apply, report) since the link started has completed. */
  synced: [];
  malformed: [MalformedMessage];
}

export interface ShadowSyncOptions {
  transport: LinkTransport;
  topics: DeviceTopics;
  applier: ProfileApplier;
  /** The device's key pair: its public half goes with each get, the answer's secrets are sealed to it. */
  key: Pick<DeviceKey, 'publicKey' | 'openSecrets'>;
  clock: Clock;
  log: Logger;
  /** Live facts for the report: the Wi-Fi status and the device's info. */
  facts: () => { wifi: WifiStatus; device: NonNullable<ReportedState['device']> };
  /** How long an unanswered get or update waits before it is sent again; default 10 s. */
  requestTimeoutMs?: number;
  /** Retry delays after 429/500; default base 1 s, cap 30 s. */
  backoff?: BackoffOptions;
}

export class ShadowSync extends EventEmitter<ShadowSyncEvents> {
  private readonly gets = new RequestTokens('g');
  private readonly updates = new RequestTokens('u');
  private readonly watch: RequestWatch;
  /** Sequence number of the newest get sent, and of the newest get whose answer was taken. */
  private lastGetSent = 0;
  private lastGetTaken = 0;
  /** The newest update sent; only its answer counts. */
  private lastUpdate = 0;
  private updatePending = false;
  /** A delta came while a get was out: get once more after its answer. */
  private again = false;
  private force = false;
  /** The desired state last refused, so an identical one is not re-applied on every get. */
  private refused: { version: number; desired: Record<string, unknown> } | undefined;
  private chain: Promise<void> = Promise.resolve();
  private syncedOnce = false;
  /** The device's facts changed while a report was waiting for its answer: report them after it. */
  private factsAgain = false;
  private closed = false;

  constructor(private readonly options: ShadowSyncOptions) {
    super();
    this.watch = new RequestWatch({
      clock: options.clock,
      ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    });
  }

  /** True once a round has completed since the link started. */
  get synced(): boolean {
    return this.syncedOnce;
  }

  /** Resolves after the first completed round (see `synced`). */
  whenSynced(): Promise<void> {
    if (this.syncedOnce) return Promise.resolve();
    return new Promise((resolve) => this.once('synced', resolve));
  }

  onConnected(): void {
    this.requestGet('connected');
  }

  onDisconnected(): void {
    // Whatever was in flight is re-done from scratch by the get on the next CONNECTED.
    this.watch.stop();
    this.updatePending = false;
  }

  /**
   * Reports the device's facts again (reported.device: a volume, do-not-disturb or timer change),
   * without a version: the device alone writes them, so there is nothing to conflict with. Before
   * the first sync the round that sync makes reports them anyway.
   */
  reportFacts(): void {
    if (this.closed || !this.syncedOnce) return;
    this.enqueue(async () => {
      // A report waiting for its answer must keep its place (a refusal of it is retried); these facts follow it.
      if (this.updatePending) this.factsAgain = true;
      else this.report(undefined, true);
    });
  }

  /** Re-applies the cloud's desired state even if its version is the applied one (StartDeviceSync). */
  resync(): void {
    this.force = true;
    this.requestGet('resync');
  }

  /**
   * Reports again what the device runs (a wake-word switch made after its profile's report): a get
   * first, so the report carries the shadow's current version.
   */
  reportAgain(): void {
    this.requestGet('report');
  }

  /** One message on a shadow topic. Never throws. */
  handle(kind: TopicKind, payload: Buffer): void {
    if (this.closed) return;
    switch (kind) {
      case 'shadow/get/accepted':
        return this.onGetAccepted(payload);
      case 'shadow/get/rejected':
        return this.onRejected('get', payload);
      case 'shadow/update/accepted':
        return this.onUpdateAccepted(payload);
      case 'shadow/update/rejected':
        return this.onRejected('update', payload);
      case 'shadow/update/delta': {
        const parsed = parsePayload(ShadowUpdateDeltaSchema, payload);
        if (!parsed.ok) return this.malformed(kind, parsed);
        this.options.log.debug({ shadowVersion: parsed.value.version }, 'delta: fetching the shadow');
        return this.requestGet('delta');
      }
      default:
        return;
    }
  }

  close(): void {
    this.closed = true;
    this.watch.stop();
  }

  private requestGet(reason: 'connected' | 'delta' | 'resync' | 'retry' | 'report'): void {
    if (this.closed || !this.options.transport.connected) return; // the next CONNECTED gets
    const awaiting = this.lastGetSent > this.lastGetTaken && this.watch.awaitingAnswer;
    if (awaiting && (reason === 'delta' || reason === 'resync' || reason === 'report')) {
      this.again = true;
      return;
    }
    const { token, n } = this.gets.next();
    this.lastGetSent = n;
    this.again = false;
    this.watch.cancelRetry();
    this.armAnswerTimer();
    const body = JSON.stringify({ clientToken: token, publicKey: this.options.key.publicKey });
    this.options.transport.publish(this.options.topics.shadowGet, body, { qos: 1 }).catch((err: unknown) => {
      this.options.log.debug({ err: (err as Error).message, reason }, 'shadow/get not sent; the next connect retries');
    });
  }

  private onGetAccepted(payload: Buffer): void {
    const parsed = parsePayload(GetAcceptedEnvelope, payload);
    if (!parsed.ok) return this.malformed('shadow/get/accepted', parsed);
    if (!this.takeGetAnswer(parsed.value.clientToken)) return;
    const doc = this.unseal(parsed.value);
    if (doc) this.enqueue(() => this.converge(doc));
  }

  /**
   * The answer with its sealed secrets opened and put back into desired. Sealed to another key (the
   * device rotated it since it asked) or for another message: dropped, and if it answered the newest
   * get, asked again after a backoff.
   */
  private unseal(doc: GetAccepted): GetAccepted | undefined {
    if (doc.secrets === undefined) return doc;
    try {
      const binding = { deviceId: this.options.topics.deviceId, clientToken: doc.clientToken, version: doc.version };
      const secrets = this.options.key.openSecrets(doc.secrets, binding);
      return { ...doc, state: { ...doc.state, desired: mergeDesiredSecrets(doc.state.desired, secrets) } };
    } catch (err) {
      this.malformed('shadow/get/accepted', { code: 400, message: (err as Error).message });
      if (this.gets.parse(doc.clientToken) === this.lastGetSent) this.retryLater();
      return undefined;
    }
  }

  /** Whether an answer to shadow/get is ours and not superseded; records it as taken. */
  private takeGetAnswer(token: string | undefined): boolean {
    if (token === undefined) return true; // a cloud that does not echo tokens: take it
    const n = this.gets.parse(token);
    if (n === undefined || n < this.lastGetTaken) return false;
    this.lastGetTaken = n;
    if (n === this.lastGetSent && !this.updatePending) this.watch.answered();
    return true;
  }

  private async converge(doc: GetAccepted): Promise<void> {
    const desired = doc.state.desired;
    if (desired && Object.keys(desired).length > 0) {
      const applier = this.options.applier;
      const version = typeof desired.profileVersion === 'number' ? desired.profileVersion : undefined;
      const force = this.force;
      this.force = false;
      // A desired state refused as it stands now is not re-tried on every get (the reply would be the
      // same refusal); a new version, or a forced resync (StartDeviceSync), tries again.
      const refusedAgain = this.refused !== undefined && this.refused.version === version && isDeepStrictEqual(this.refused.desired, desired);
      if (force || (!refusedAgain && (version !== applier.applied?.version || doc.state.delta !== undefined))) {
        const result = await applier.apply(desired, { force });
        this.refused = result.ok ? undefined : { version: result.rejected.version, desired };
        if (result.ok && result.changed) this.emit('profile-applied', { version: result.applied.version, at: result.applied.at });
        if (!result.ok) this.emit('profile-rejected', result.rejected);
      }
    }
    this.report(doc.version, false);
    this.followUp();
  }

  /** A delta came while the last get was out: its answer may predate it, so get once more. */
  private followUp(): void {
    if (this.again) this.requestGet('retry');
  }

  private report(shadowVersion: number | undefined, deviceOnly: boolean): void {
    const { transport, topics, applier, log } = this.options;
    if (this.closed || !transport.connected) return;
    const facts = this.options.facts();
    this.factsAgain = false;
    const reported = deviceOnly
      ? deviceOnlyState(facts.device)
      : reportedState({ applied: applier.applied, rejected: applier.rejected, wifi: facts.wifi, device: facts.device });
    const { token, n } = this.updates.next();
    const body = { state: { reported }, ...(shadowVersion === undefined ? {} : { version: shadowVersion }), clientToken: token };
    const checked = validate(DeviceShadowUpdateRequestSchema, body);
    const state = checked.ok ? validate(ReportedStateSchema, withoutNulls(reported), 'state.reported') : checked;
    if (!state.ok) {
      // A bug on this side: sending it would only earn a 400.
      log.error({ reason: state.message }, 'refusing to send an invalid reported state');
      this.emit('shadow-rejected', { request: 'update', code: 400, message: state.message });
      this.markSynced();
      return;
    }
    this.lastUpdate = n;
    this.updatePending = true;
    this.armAnswerTimer();
    transport.publish(topics.shadowUpdate, JSON.stringify(body), { qos: 1 }).catch((err: unknown) => {
      log.debug({ err: (err as Error).message }, 'shadow/update not sent; the next connect reports again');
    });
  }

  private onUpdateAccepted(payload: Buffer): void {
    const parsed = parsePayload(ShadowUpdateAcceptedSchema, payload);
    if (!parsed.ok) return this.malformed('shadow/update/accepted', parsed);
    if (this.updates.parse(parsed.value.clientToken) !== this.lastUpdate || !this.updatePending) return;
    this.updatePending = false;
    this.watch.answered();
    this.watch.succeeded();
    const reported = parsed.value.state.reported ?? {};
    const pv = reported.profileVersion;
    const rejected = reported.rejected as { version?: unknown } | null | undefined;
    this.emit('reported', {
      shadowVersion: parsed.value.version,
      ...(typeof pv === 'number' ? { profileVersion: pv } : {}),
      ...(typeof rejected?.version === 'number' ? { rejectedVersion: rejected.version } : {}),
    });
    this.markSynced();
    if (this.factsAgain) this.reportFacts();
  }

  private onRejected(request: 'get' | 'update', payload: Buffer): void {
    const kind = request === 'get' ? 'shadow/get/rejected' : 'shadow/update/rejected';
    const parsed = parsePayload(ShadowRejectedSchema, payload);
    if (!parsed.ok) return this.malformed(kind, parsed);
    const { code, message, clientToken } = parsed.value;
    if (request === 'get') {
      if (!this.takeGetAnswer(clientToken)) return;
    } else {
      if (this.updates.parse(clientToken) !== this.lastUpdate || !this.updatePending) return;
      this.updatePending = false;
      this.watch.answered();
    }
    const log = this.options.log;
    if (request === 'get' && code === 404) {
      log.info('no shadow yet: nothing to apply; reporting device facts');
      this.enqueue(async () => {
        this.report(0, true);
        this.followUp();
      });
      return;
    }
    if (code === 409) {
      log.info({ request }, 'shadow version conflict: fetching it again');
      this.requestGet('retry');
      return;
    }
    if (code === 429 || code === 500) {
      log.warn({ request, code }, 'shadow request refused for now; retrying after a backoff');
      this.retryLater();
      return;
    }
    log.error({ request, code, reason: message }, 'shadow request refused');
    this.emit('shadow-rejected', { request, code, message });
    this.markSynced();
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => this.options.log.error({ err: String(err) }, 'shadow sync step failed'));
  }

  /**
   * An unanswered request: the broker took it (QoS 1) but the shadow service did not answer (down,
   * restarting, or the answer was lost with a broker). Asked again after the watch's backoff.
   */
  private armAnswerTimer(): void {
    this.watch.sent(() => {
      this.updatePending = false;
      this.options.log.info('no answer from the shadow service; asking again after a backoff');
      this.retryLater();
    });
  }

  private retryLater(): void {
    this.watch.retryLater(() => this.requestGet('retry'));
  }

  private markSynced(): void {
    if (this.syncedOnce) return;
    this.syncedOnce = true;
    this.emit('synced');
  }

  private malformed(kind: string, result: { code: 400 | 413; message: string }): void {
    this.options.log.warn({ kind, code: result.code, reason: result.message }, 'dropped a malformed message');
    this.emit('malformed', { kind, code: result.code, message: result.message });
  }
}
