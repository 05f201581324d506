import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import {
  JobUpdateAcceptedSchema,
  JobUpdateRejectedSchema,
  JobUpdateRequestSchema,
  type DeviceJobStatus,
  type JobUpdateAccepted,
  type JobUpdateRejected,
} from '../../protocol/jobs.js';
import { parsePayload, validate, type ParseResult } from '../../protocol/parse.js';
import type { DeviceTopics } from '../../protocol/topics.js';
import { RequestTokens } from './request-tokens.js';
import type { LinkTransport } from './transport.js';

/**
 * jobs/{jobId}/update as a request with an answer: publishes the update with a clientToken and
 * resolves with the matching jobs/{jobId}/update/accepted or /rejected, or `no-answer` when the
 * link is down, goes down, is closed, or nothing comes within the timeout (on the Clock). A late
 * answer to a request given up on is ignored; the job runner re-reads the job's state from the next
 * answer instead (its executionState).
 */
export type JobAnswer = { kind: 'accepted'; value: JobUpdateAccepted } | { kind: 'rejected'; value: JobUpdateRejected } | { kind: 'no-answer' };

export interface JobUpdateBody {
  status: DeviceJobStatus;
  expectedVersion: number;
  statusDetails?: Record<string, string>;
}

export class JobRequests {
  private readonly tokens = new RequestTokens('j');
  private readonly waiting = new Map<string, { jobId: string; resolve: (a: JobAnswer) => void }>();
  private closed = false;

  constructor(
    private readonly transport: LinkTransport,
    private readonly topics: DeviceTopics,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  update(jobId: string, body: JobUpdateBody): Promise<JobAnswer> {
    if (this.closed || !this.transport.connected) return Promise.resolve({ kind: 'no-answer' });
    const { token } = this.tokens.next();
    const request = { ...body, clientToken: token };
    const checked = validate(JobUpdateRequestSchema, request);
    if (!checked.ok) {
      this.log.error({ jobId, reason: checked.message }, 'job update does not match the protocol');
      // statusDetails beyond the protocol's limits: send the status without them rather than nothing.
      if (body.statusDetails) return this.update(jobId, { status: body.status, expectedVersion: body.expectedVersion });
      return Promise.resolve({ kind: 'no-answer' });
    }
    return new Promise<JobAnswer>((resolve) => {
      const timer = this.clock.setTimeout(() => finish({ kind: 'no-answer' }), this.timeoutMs);
      const finish = (a: JobAnswer): void => {
        this.clock.clearTimeout(timer);
        this.waiting.delete(token);
        resolve(a);
      };
      this.waiting.set(token, { jobId, resolve: finish });
      this.transport.publish(this.topics.jobUpdate(jobId), JSON.stringify(request), { qos: 1 }).catch(() => finish({ kind: 'no-answer' }));
    });
  }

  /**
   * An answer from the cloud. Returns the parse failure for a malformed one (for the caller to
   * report); answers that match no waiting request are dropped quietly.
   */
  answer(kind: 'accepted' | 'rejected', jobId: string, payload: Buffer): ParseResult<unknown> {
    const parsed: ParseResult<JobUpdateAccepted | JobUpdateRejected> =
      kind === 'accepted' ? parsePayload(JobUpdateAcceptedSchema, payload) : parsePayload(JobUpdateRejectedSchema, payload);
    if (!parsed.ok) return parsed;
    const token = parsed.value.clientToken;
    let w = token === undefined ? undefined : this.waiting.get(token);
    if (!w && token === undefined) {
      // An answer without its token (a refused request whose JSON the cloud could not read): it can
      // only be matched when exactly one request for that job is waiting.
      const candidates = [...this.waiting.values()].filter((x) => x.jobId === jobId);
      if (candidates.length === 1) w = candidates[0];
    }
    if (w && w.jobId === jobId) {
      w.resolve(kind === 'accepted' ? { kind, value: parsed.value as JobUpdateAccepted } : { kind, value: parsed.value as JobUpdateRejected });
    }
    return parsed;
  }

  /** Every waiting request gets `no-answer` (the connection dropped). */
  abandon(): void {
    for (const w of [...this.waiting.values()]) w.resolve({ kind: 'no-answer' });
  }

  close(): void {
    this.closed = true;
    this.abandon();
  }
}
