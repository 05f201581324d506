import { DeviceCloudLink, type DeviceCloudLinkOptions } from '../../cloud-link/device/link/device-cloud-link.js';
import { Device } from '../../firmware/device/device.js';
import type { DeviceOptions } from '../../firmware/device/types.js';
import type { ButtonDriver } from '../../hal/buttons/types.js';
import type { Clock } from '../../core/clock.js';

/** The cloud link's options, less what the runtime gives it: the device's flash, and by default its clock. */
export type RuntimeLinkOptions = Omit<DeviceCloudLinkOptions, 'dataDir' | 'clock'> & {
  /** The link's clock; default the device's. (The CLI runs the network on the system clock while device time follows the audio.) */
  clock?: Clock;
};

/** What a composed device is made of; hardware, models and renderers are opened by the `compose` builder. */
export interface DeviceRuntimeParts {
  /** The firmware's options, less the link (the runtime makes it from `link`). */
  device: Omit<DeviceOptions, 'link'>;
  /** Link the device to the cloud. Without it the device runs offline (`device.offline`) or goes to SETUP. */
  link?: RuntimeLinkOptions;
  /** Button drivers: started once the device is up, closed first on stop. */
  buttons?: ButtonDriver[];
}

/** How the `compose` builder opens what the device is made of, so a failure half-way undoes it all. */
export interface DeviceParts {
  /**
   * Opens something the runtime releases after the device has stopped (a model, a microphone
   * source, a temporary flash), last opened first; or at once if composing fails later.
   */
  open<T>(open: () => T | Promise<T>, release?: (opened: T) => unknown): Promise<T>;
  /**
   * Opens something the Device takes over (LED renderers, a speaker driver: it closes them when it
   * stops); released here only if composing fails before the device exists.
   */
  lend<T>(open: () => T | Promise<T>, release: (opened: T) => unknown): Promise<T>;
  /** Registers a release for something opened by other means (see `open`). */
  own(release: () => unknown): void;
}

export interface StartOptions {
  /** Awaited once the device is up and its link started, before the button drivers start (e.g. waiting for the cloud). */
  ready?: (runtime: DeviceRuntime) => Promise<void>;
}

export interface StopOptions {
  /** Wraps the link's close (e.g. the harness keeps the device's clock moving while the link's bounded waits run). */
  whileLinkCloses?: (closing: Promise<void>) => Promise<void>;
}

/**
 * The composition root: builds one device with its cloud link (the firmware Device, the
 * DeviceCloudLink on the same flash, button drivers, and whatever the builder opened: hal drivers
 * from specs, models), and owns the order in which they come up and go down. The CLI's device
 * (tools/device-session.ts), the harness's (tools/harness/sim-device.ts) and the fleet's
 * (tools/fleet/simulated-device.ts) are all built here.
 *
 * One boot path, `start()`:
 *   1. link.attach(device)  the link follows the device before it boots (BOOTING is telemetry too);
 *   2. device.boot()        the flash is loaded and the state machine leaves BOOTING;
 *   3. link.start()         the profile on flash is re-applied, then the link connects;
 *   4. ready()              the caller's wait (e.g. for the cloud);
 *   5. button drivers start.
 * The device is booted here, by its owner, and never by its link: a device without a link boots the
 * same way, and the order the link needs around the boot is written out instead of hidden in it.
 *
 * `stop()` is the reverse: the button drivers close (no input after this), the link goes offline
 * (outbox drained, listeners removed), the device stops (its renderers and speaker closed, its
 * listeners removed), then what the builder opened is released, last opened first. Idempotent.
 */
export class DeviceRuntime {
  readonly device: Device;
  readonly link: DeviceCloudLink | undefined;
  private readonly buttons: readonly ButtonDriver[];
  private readonly releases: Array<() => unknown>;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(parts: DeviceRuntimeParts, releases: Array<() => unknown>) {
    const { device, link } = parts;
    this.link = link ? new DeviceCloudLink({ clock: device.clock, ...link, dataDir: device.dataDir }) : undefined;
    this.device = new Device({ ...device, ...(this.link ? { link: this.link } : {}) });
    this.buttons = parts.buttons ?? [];
    this.releases = releases;
  }

  /**
   * Builds a device from what `build` opens. If `build` (or the Device or link constructor) throws,
   * everything opened so far is released, last first, and the error is rethrown.
   */
  static async compose(build: (parts: DeviceParts) => Promise<DeviceRuntimeParts> | DeviceRuntimeParts): Promise<DeviceRuntime> {
    const releases: Array<() => unknown> = [];
    const lent: Array<() => unknown> = [];
    const unwind = async (): Promise<void> => {
      for (const release of [...lent.reverse(), ...releases.reverse()]) await Promise.resolve().then(release).catch(() => undefined);
    };
    const parts: DeviceParts = {
      async open(open, release) {
        const opened = await open();
        if (release) releases.push(() => release(opened));
        return opened;
      },
      async lend(open, release) {
        const opened = await open();
        lent.push(() => release(opened));
        return opened;
      },
      own(release) {
        releases.push(release);
      },
    };
    try {
      return new DeviceRuntime(await build(parts), releases);
    } catch (err) {
      await unwind();
      throw err;
    }
  }

  /** Registers something to release after the device has stopped (released before what was opened earlier). */
  own(release: () => unknown): void {
    this.releases.push(release);
  }

  /** Brings the device up (see the class comment for the order). Once; a failed start is undone by stop(). */
  start(options: StartOptions = {}): Promise<void> {
    this.starting ??= this.bringUp(options);
    return this.starting;
  }

  /** Takes the device down in the reverse order and releases what it was made of. Idempotent. */
  stop(options: StopOptions = {}): Promise<void> {
    this.stopping ??= this.takeDown(options);
    return this.stopping;
  }

  private async bringUp(options: StartOptions): Promise<void> {
    const { device, link } = this;
    await link?.attach(device);
    await device.boot();
    await link?.start();
    await options.ready?.(this);
    if (this.stopping) return;
    for (const driver of this.buttons) driver.start((e) => device.buttonEdge(e));
  }

  private async takeDown(options: StopOptions): Promise<void> {
    for (const driver of this.buttons) await driver.close();
    if (this.link) {
      const closing = this.link.close();
      await (options.whileLinkCloses ? options.whileLinkCloses(closing) : closing);
    }
    await this.device.stop();
    for (const release of this.releases.splice(0).reverse()) await release();
  }
}
