import { EchosimError } from '../../core/errors.js';
import type { SpiTransport } from './apa102.js';

/**
 * The part of the `spi-device` package (fivdi/spi-device, a native addon over Linux spidev) that
 * echosim uses, declared here: the package is an optional dependency, so the build cannot rely on its
 * own type file being installed.
 */
export interface SpiDeviceModule {
  open(bus: number, device: number, options: SpiDeviceOpenOptions, cb: (err?: Error | null) => void): SpiDeviceHandle;
}

export interface SpiDeviceOpenOptions {
  /** SPI mode 0..3 (clock polarity and phase). */
  mode?: 0 | 1 | 2 | 3;
  maxSpeedHz?: number;
}

/** One transfer of a spidev message (`struct spi_ioc_transfer`). */
export interface SpiDeviceTransfer {
  byteLength: number;
  sendBuffer?: Buffer;
  receiveBuffer?: Buffer;
  speedHz?: number;
}

export interface SpiDeviceHandle {
  transfer(message: SpiDeviceTransfer[], cb: (err?: Error | null) => void): unknown;
  close(cb: (err?: Error | null) => void): void;
}

export interface SpiDeviceTransportOptions {
  /** SPI bus (the B in /dev/spidevB.D). Default 0. */
  readonly bus?: number;
  /** Chip select (the D in /dev/spidevB.D). Default 1: the ReSpeaker 4-Mic HAT's LEDs (docs/hardware.md#respeaker-4-mic-array). */
  readonly device?: number;
  /** Clock, Hz. Default 8 MHz, what the ReSpeaker HATs' APA102 drivers use. */
  readonly speedHz?: number;
  /** SPI mode. Default 0 (APA102 samples data on the rising clock edge, clock idles low). */
  readonly mode?: 0 | 1 | 2 | 3;
  /** Largest single transfer, bytes. Default 4096, the spidev driver's default `bufsiz`. */
  readonly maxChunkBytes?: number;
  /** The `spi-device` module to use instead of importing it (tests inject the bus here). */
  readonly module?: SpiDeviceModule;
}

export const SPI_DEFAULTS = { bus: 0, device: 1, speedHz: 8_000_000, mode: 0 } as const;

/**
 * spidev rejects any message longer than its `bufsiz` module parameter (4096 bytes unless changed) with
 * EMSGSIZE, and the limit is on the whole message, so long writes go out as separate transfers. APA102
 * has no chip-select framing (clock and data only), so splitting a frame between transfers is harmless.
 */
export const SPIDEV_DEFAULT_BUFSIZ = 4096;

/**
 * Loads the optional `spi-device` addon. Imported dynamically so a machine without it (no build
 * tools, not Linux) still runs everything except real LEDs.
 */
export async function loadSpiDeviceModule(specifier = 'spi-device'): Promise<SpiDeviceModule> {
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (cause) {
    throw new EchosimError('SPI_UNAVAILABLE', `cannot drive SPI LEDs: the ${specifier} module could not be loaded (${errorText(cause)})`, {
      hint: 'install the optional dependency with `npm install spi-device` (it builds a native addon: needs python3, make and g++), or use the terminal or events LED renderer',
      cause,
      details: { module: specifier },
    });
  }
  // A CommonJS addon: its exports arrive as the namespace's default.
  const candidate = (mod as { default?: unknown }).default ?? mod;
  if (typeof (candidate as Partial<SpiDeviceModule>).open !== 'function') {
    throw new EchosimError('SPI_UNAVAILABLE', `cannot drive SPI LEDs: ${specifier} has no open() function`, {
      hint: 'reinstall it with `npm install spi-device@^3`',
      details: { module: specifier },
    });
  }
  return candidate as SpiDeviceModule;
}

/** SpiTransport over Linux spidev (/dev/spidevB.D) through the `spi-device` package. */
export class SpiDeviceTransport implements SpiTransport {
  readonly path: string;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly handle: SpiDeviceHandle,
    readonly bus: number,
    readonly device: number,
    readonly speedHz: number,
    private readonly maxChunkBytes: number,
  ) {
    this.path = spidevPath(bus, device);
  }

  /** Opens /dev/spidevB.D; SPI_UNAVAILABLE (with what to do) when the module or the device is missing. */
  static async open(options: SpiDeviceTransportOptions = {}): Promise<SpiDeviceTransport> {
    const bus = options.bus ?? SPI_DEFAULTS.bus;
    const device = options.device ?? SPI_DEFAULTS.device;
    const speedHz = options.speedHz ?? SPI_DEFAULTS.speedHz;
    const mode = options.mode ?? SPI_DEFAULTS.mode;
    const maxChunkBytes = options.maxChunkBytes ?? SPIDEV_DEFAULT_BUFSIZ;
    for (const [name, v] of [['bus', bus], ['device', device]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new EchosimError('SPI_UNAVAILABLE', `SPI ${name} ${v} is not a number 0 or more`, { hint: 'the ReSpeaker 4-Mic HAT uses bus 0 device 1 (/dev/spidev0.1)' });
    }
    if (!Number.isInteger(speedHz) || speedHz <= 0) throw new EchosimError('SPI_UNAVAILABLE', `SPI speed ${speedHz} Hz is not a clock rate`, { hint: 'give the clock in Hz, e.g. 8000000' });
    if (!Number.isInteger(maxChunkBytes) || maxChunkBytes < 1) throw new EchosimError('SPI_UNAVAILABLE', `SPI chunk size ${maxChunkBytes} is not a byte count`, { hint: `use at most the spidev bufsiz (default ${SPIDEV_DEFAULT_BUFSIZ})` });

    const mod = options.module ?? (await loadSpiDeviceModule());
    const path = spidevPath(bus, device);
    const handle = await new Promise<SpiDeviceHandle>((resolve, reject) => {
      let h: SpiDeviceHandle | undefined;
      let err: Error | null | undefined;
      let done = false;
      const finish = (): void => {
        if (err) reject(spiOpenFailed(path, bus, device, err));
        else if (h) resolve(h);
      };
      try {
        h = mod.open(bus, device, { mode, maxSpeedHz: speedHz }, (e) => {
          err = e;
          done = true;
          // The addon may call back before open() has returned the handle.
          if (h) finish();
        });
      } catch (e) {
        reject(spiOpenFailed(path, bus, device, e));
        return;
      }
      if (done) finish();
    });
    return new SpiDeviceTransport(handle, bus, device, speedHz, maxChunkBytes);
  }

  /** Writes the bytes in order, in transfers of at most maxChunkBytes; writes never interleave. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new EchosimError('SPI_UNAVAILABLE', `${this.path} is closed`, { hint: 'open a new SpiDeviceTransport' }));
    // Copy now: the caller may reuse its buffer before the queued write runs.
    const data = Buffer.from(bytes);
    const run = this.queue.then(async () => {
      for (let at = 0; at < data.length; at += this.maxChunkBytes) {
        const chunk = data.subarray(at, Math.min(data.length, at + this.maxChunkBytes));
        await this.transfer(chunk);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await new Promise<void>((resolve, reject) => {
      this.handle.close((err) => (err ? reject(new EchosimError('SPI_UNAVAILABLE', `closing ${this.path} failed: ${err.message}`, { cause: err })) : resolve()));
    });
  }

  private transfer(chunk: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const message: SpiDeviceTransfer[] = [{ sendBuffer: chunk, byteLength: chunk.length, speedHz: this.speedHz }];
      this.handle.transfer(message, (err) => {
        if (!err) return resolve();
        reject(
          new EchosimError('SPI_UNAVAILABLE', `SPI transfer of ${chunk.length} bytes to ${this.path} failed: ${err.message}`, {
            hint: (err as NodeJS.ErrnoException).code === 'EMSGSIZE'
              ? `the spidev bufsiz is smaller than ${chunk.length}: lower maxChunkBytes, or raise spidev.bufsiz on the kernel command line`
              : 'check the wiring and that no other program uses the LEDs',
            cause: err,
            details: { path: this.path, bytes: chunk.length },
          }),
        );
      });
    });
  }
}

export function spidevPath(bus: number, device: number): string {
  return `/dev/spidev${bus}.${device}`;
}

export function spiOpenFailed(path: string, bus: number, device: number, cause: unknown): EchosimError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? `no permission to open ${path}: add the user to the spi group (\`sudo usermod -aG spi $USER\`, then log in again)`
      : `enable SPI (\`sudo raspi-config nonint do_spi 0\`, or raspi-config → Interface Options → SPI) and reboot; check the bus/device with \`ls /dev/spidev*\` (the ReSpeaker 4-Mic HAT's LEDs are bus 0 device 1)`;
  return new EchosimError('SPI_UNAVAILABLE', `cannot open ${path}: ${errorText(cause)}`, {
    hint,
    cause,
    details: { path, bus, device, code },
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
