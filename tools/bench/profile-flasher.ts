import type { A4bClient } from '../a4b-client.js';
import type { CloudProcess } from './cloud-process.js';

/**
 * Keeps flashing one device's room profile through the API (UpdateProfile, MaxVolumeLimit 5 and 6 in
 * turn), each time waiting until the device reports it applied the new version, then pausing. Every
 * update bumps the device's desired profileVersion by one, so the version to wait for is known.
 */
export class ProfileFlasher {
  flashes = 0;
  /** ms from each UpdateProfile call to the cloud hearing the device applied it (those that did). */
  readonly latencies: number[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private desired: number | undefined;

  constructor(private readonly o: { api: A4bClient; cloud: CloudProcess; profileArn: string; deviceId: string; pauseMs: number; limitMs?: number }) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running && this.o.cloud.alive) {
        await this.flashOnce(this.o.limitMs ?? 20_000).catch(() => undefined);
        await new Promise((r) => setTimeout(r, this.o.pauseMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** One update; resolves with the ms until the device applied it, or undefined after `limitMs`. */
  async flashOnce(limitMs: number): Promise<number | undefined> {
    const { api, cloud, deviceId } = this.o;
    this.desired ??= cloud.appliedVersions.get(deviceId) ?? 0;
    const t0 = performance.now();
    await api.call('UpdateProfile', { ProfileArn: this.o.profileArn, MaxVolumeLimit: this.flashes % 2 === 0 ? 5 : 6 });
    this.flashes++;
    const target = ++this.desired;
    while ((cloud.appliedVersions.get(deviceId) ?? 0) < target) {
      if (!cloud.alive || performance.now() - t0 > limitMs) return undefined;
      await new Promise((r) => setTimeout(r, 5));
    }
    const ms = performance.now() - t0;
    this.latencies.push(ms);
    return ms;
  }
}
