import type { Clock, TimerHandle } from '../../../core/clock.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { isEchosimError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { DeviceControl } from '../../../firmware/device/device-control.js';
import type { ResetReport } from '../../protocol/reset-features.js';
import type { Job } from '../../protocol/jobs.js';
import { runLocalCommand } from '../../../firmware/features/local-command-runner.js';
import { announcementAudio, announcementWords } from './announcement-tones.js';

/**
 * What each job operation does on the device (the runner, job-runner.ts, handles the protocol around
 * it). A reboot is not here: it takes the device down, so the runner records it before handing over.
 *
 * - reset (A4B StartDeviceSync): `device.reset(Features)` clears the named local features (timers and
 *   alarms, lists, Bluetooth history, volume back to 5, settings). The features the device does not
 *   keep itself come back as `notApplicable` (SKILLS, NETWORK_PROFILE; ALL names them too): for those,
 *   and for SETTINGS (whose defaults the room profile overrides), the link syncs again from the cloud
 *   (`afterReset`). statusDetails: `cleared` (e.g. "LISTS,VOLUME") and `resynced`.
 * - delete-recordings (DeleteDeviceUsageData, VOICE): the device keeps no recordings (audio leaves as
 *   it is captured; see utterance-stream.ts), so there is nothing to erase locally; the job succeeds
 *   and says so (`localAudio: none`). The recordings themselves are the cloud's to delete.
 * - announce (SendAnnouncement): not played once its TtlSeconds have passed since it was queued
 *   (FAILED, reason `expired`). A device in the middle of a request waits until it may announce (idle,
 *   connecting, or muted), at most until the TTL runs out. The audio is the announcement chime and
 *   tones (announcement-tones.ts: the device has no text-to-speech).
 * - local-command (SendDeviceCommand): one change to the local features, run as a `--script` runs it
 *   (local-command-runner.ts); statusDetails say what was made (e.g. `timerId`), a refusal is FAILED
 *   with the feature's error code.
 */
export interface JobOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  statusDetails?: Record<string, string>;
}

export interface JobExecutorOptions {
  device: DeviceControl;
  clock: Clock;
  log: Logger;
  /** Hands the announcement audio to the device (the link's `announcement` event). */
  announce: (audio: Int16Array) => void;
  /** After a reset: re-sync what the reset touched from the cloud; returns the feature names re-synced. */
  afterReset: (report: ResetReport) => Promise<string[]>;
}

export class JobExecutor {
  private readonly waits = new Set<() => void>();

  constructor(private readonly options: JobExecutorOptions) {}

  async run(job: Job): Promise<JobOutcome> {
    try {
      switch (job.operation) {
        case 'reset':
          return await this.reset(job.parameters.Features);
        case 'delete-recordings':
          return { status: 'SUCCEEDED', statusDetails: { localAudio: 'none' } };
        case 'announce':
          return await this.announce(job);
        case 'local-command':
          return { status: 'SUCCEEDED', statusDetails: await runLocalCommand(this.options.device, job.parameters) };
        case 'reboot':
          return { status: 'FAILED', statusDetails: { reason: 'reboot is handled by the job runner' } };
      }
    } catch (err) {
      this.options.log.warn({ jobId: job.jobId, operation: job.operation, err: String(err) }, 'job failed');
      return { status: 'FAILED', statusDetails: { reason: isEchosimError(err) ? err.code : 'ERROR', message: truncate((err as Error).message || String(err)) } };
    }
  }

  /** Ends waits in progress (the link is closing): they finish as FAILED, interrupted. */
  close(): void {
    for (const stop of [...this.waits]) stop();
  }

  private async reset(features: readonly string[]): Promise<JobOutcome> {
    const report = await this.options.device.reset(features);
    const resynced = await this.options.afterReset(report);
    const details: Record<string, string> = {};
    if (report.cleared.length > 0) details.cleared = report.cleared.join(',');
    if (resynced.length > 0) details.resynced = resynced.join(',');
    return { status: 'SUCCEEDED', ...(Object.keys(details).length > 0 ? { statusDetails: details } : {}) };
  }

  private async announce(job: Extract<Job, { operation: 'announce' }>): Promise<JobOutcome> {
    const { clock, device } = this.options;
    const deadline = job.queuedAt + job.parameters.TtlSeconds * 1000;
    const expired: JobOutcome = { status: 'FAILED', statusDetails: { reason: 'expired' } };
    if (clock.wallNow() >= deadline) return expired;
    if (!device.accepts('ANNOUNCE')) {
      const ready = await this.waitUntilAnnounceable(deadline - clock.wallNow());
      if (ready === 'expired') return expired;
      if (ready === 'interrupted') return { status: 'FAILED', statusDetails: { reason: 'interrupted' } };
    }
    const audio = announcementAudio(job.parameters);
    this.options.announce(audio);
    if (device.state !== 'SPEAKING') return { status: 'FAILED', statusDetails: { reason: 'device busy' } };
    const durationMs = Math.round((audio.length * 1000) / SAMPLE_RATE);
    return { status: 'SUCCEEDED', statusDetails: { durationMs: String(durationMs), words: String(announcementWords(job.parameters).length) } };
  }

  /** Waits (on the Clock) until the device may announce, the TTL runs out, or close(). */
  private waitUntilAnnounceable(remainingMs: number): Promise<'ready' | 'expired' | 'interrupted'> {
    const { clock, device } = this.options;
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const finish = (result: 'ready' | 'expired' | 'interrupted'): void => {
        device.off('state', onState);
        if (timer) clock.clearTimeout(timer);
        this.waits.delete(stop);
        resolve(result);
      };
      const onState = (): void => {
        if (device.accepts('ANNOUNCE')) finish('ready');
      };
      const stop = (): void => finish('interrupted');
      this.waits.add(stop);
      device.on('state', onState);
      timer = clock.setTimeout(() => finish('expired'), Math.max(0, remainingMs));
    });
  }
}

function truncate(s: string): string {
  return s.length > 1024 ? `${s.slice(0, 1021)}...` : s;
}
