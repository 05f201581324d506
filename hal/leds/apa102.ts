import { EchosimError } from '../../core/errors.js';
import type { LedFrame, LedRenderer } from './types.js';

/**
 * APA102 framing (docs/hardware.md#apa102-leds, the ReSpeaker HATs): a start frame of four 0x00 bytes, then per LED
 * `0xE0 | brightness(0..31)`, blue, green, red, then an end frame of 0xFF bytes. The end frame must
 * supply at least one clock edge per two LEDs to push the data through the chain: four bytes cover up
 * to 64 LEDs, longer chains get more.
 */
export function encodeApa102(frame: LedFrame, brightness = 31): Uint8Array {
  if (!Number.isInteger(brightness) || brightness < 0 || brightness > 31) {
    throw new EchosimError('LED_FRAME_INVALID', `APA102 brightness must be 0..31, got ${brightness}`);
  }
  const n = frame.leds.length;
  const endBytes = Math.max(4, Math.ceil(n / 16));
  const out = new Uint8Array(4 + 4 * n + endBytes);
  let at = 4;
  for (const led of frame.leds) {
    out[at++] = 0xe0 | brightness;
    out[at++] = channel(led.b);
    out[at++] = channel(led.g);
    out[at++] = channel(led.r);
  }
  out.fill(0xff, at);
  return out;
}

function channel(v: number): number {
  if (!Number.isFinite(v)) throw new EchosimError('LED_FRAME_INVALID', `LED channel value ${v} is not a number`);
  return Math.max(0, Math.min(255, Math.round(v)));
}

/** The lowest layer: bytes onto an SPI bus. The Raspberry Pi driver writes /dev/spidevB.D. */
export interface SpiTransport {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** A GPIO output, e.g. the ReSpeaker 4-Mic HAT's LED power pin (GPIO5). */
export interface GpioOutput {
  set(high: boolean): Promise<void>;
}

export interface Apa102Options {
  /** Global brightness 0..31 (default 31). */
  brightness?: number;
  /** Driven high before the first frame and low on close, when the board gates LED power. */
  powerPin?: GpioOutput;
}

export class Apa102Renderer implements LedRenderer {
  private powered = false;
  /** LEDs in the last frame, so close() can blank exactly that chain. */
  private lastCount = 0;

  constructor(
    private readonly spi: SpiTransport,
    private readonly options: Apa102Options = {},
  ) {}

  async render(frame: LedFrame): Promise<void> {
    const bytes = encodeApa102(frame, this.options.brightness ?? 31);
    if (!this.powered && this.options.powerPin) {
      await this.options.powerPin.set(true);
    }
    this.powered = true;
    this.lastCount = frame.leds.length;
    await this.spi.write(bytes);
  }

  async close(): Promise<void> {
    if (this.powered) {
      // Dark before power goes, so no LED stays latched on if the board does not gate its power.
      const off = Array.from({ length: this.lastCount }, () => ({ r: 0, g: 0, b: 0 }));
      await this.spi.write(encodeApa102({ leds: off, at: 0 }, 0));
      this.powered = false;
      await this.options.powerPin?.set(false);
    }
    await this.spi.close();
  }
}
