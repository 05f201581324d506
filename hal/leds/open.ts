import type { Clock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { GpioSetOutput } from '../gpio/gpioset-output.js';
import type { Logger } from '../../core/log.js';
import { Apa102Renderer } from './apa102.js';
import { JsonEventsRenderer, type LedsEvent } from './events.js';
import { SPI_DEFAULTS, SpiDeviceTransport, type SpiDeviceModule } from './spi-device-transport.js';
import { TerminalRingRenderer } from './terminal.js';
import type { TerminalScreen, TerminalStream } from './terminal-screen.js';
import type { LedRenderer } from './types.js';

/** The light-ring renderers there are (`--leds`). */
export const LED_RENDERER_KINDS = ['terminal', 'events', 'apa102', 'none'] as const;
export type LedRendererKind = (typeof LED_RENDERER_KINDS)[number];

/** The ReSpeaker 4-Mic HAT's LED power enable: GPIO5 on the header's chip (docs/hardware.md#respeaker-4-mic-array). */
export const RESPEAKER_4MIC_POWER_PIN = { chip: 'gpiochip0', line: 5 } as const;

export interface OpenLedsOptions {
  readonly ledCount: number;
  /** 'events': where each event goes. Default: one JSON line per event on stdout. */
  readonly eventSink?: (event: LedsEvent) => void;
  /** 'events': throttle, ms (default 250). */
  readonly minIntervalMs?: number;
  /** 'events': lets a throttled final frame be flushed without waiting for another frame. */
  readonly clock?: Clock;
  /** 'terminal': the stream to draw on (default process.stderr). */
  readonly stream?: TerminalStream;
  /** 'terminal': a screen shared with lines printed to the same terminal (they scroll above the ring). */
  readonly screen?: TerminalScreen;
  /** 'apa102': the SPI device (default bus 0 device 1 at 8 MHz, the ReSpeaker 4-Mic HAT). */
  readonly spi?: { readonly bus: number; readonly device: number; readonly speedHz: number };
  /** 'apa102': the `spi-device` module to use instead of importing it (tests). */
  readonly spiModule?: SpiDeviceModule;
  /** 'apa102': the pin that powers the LEDs; default gpiochip0 line 5; null when the board has none. */
  readonly powerPin?: { readonly chip: string; readonly line: number } | null;
  /** 'apa102': environment for the gpioset tool (its PATH). Default process.env. */
  readonly gpioEnv?: NodeJS.ProcessEnv;
  /** 'apa102': global brightness 0..31 (default 31). */
  readonly brightness?: number;
  readonly logger?: Logger;
}

/**
 * The renderers for one `--leds` choice. Hardware is opened here, so a missing SPI device or gpioset
 * fails at start-up with its code and hint (SPI_UNAVAILABLE, GPIO_UNAVAILABLE) rather than on the
 * first frame.
 */
export async function openLeds(kind: LedRendererKind, opts: OpenLedsOptions): Promise<LedRenderer[]> {
  switch (kind) {
    case 'none':
      return [];
    case 'terminal':
      return [
        new TerminalRingRenderer({
          ...(opts.screen ? { screen: opts.screen } : {}),
          ...(opts.stream ? { stream: opts.stream } : {}),
          ...(opts.logger ? { logger: opts.logger } : {}),
        }),
      ];
    case 'events':
      return [
        new JsonEventsRenderer(opts.eventSink ?? stdoutJsonLines, {
          ...(opts.minIntervalMs !== undefined ? { minIntervalMs: opts.minIntervalMs } : {}),
          ...(opts.clock ? { clock: opts.clock } : {}),
          ...(opts.logger ? { logger: opts.logger } : {}),
        }),
      ];
    case 'apa102':
      return [await openApa102(opts)];
    default: {
      const never: never = kind;
      throw new EchosimError('CLI_ARGUMENT_INVALID', `unknown LED renderer ${JSON.stringify(never)}`, {
        hint: `use one of: ${LED_RENDERER_KINDS.join(', ')}`,
      });
    }
  }
}

function stdoutJsonLines(event: LedsEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

async function openApa102(opts: OpenLedsOptions): Promise<LedRenderer> {
  const spiOpts = opts.spi ?? SPI_DEFAULTS;
  const spi = await SpiDeviceTransport.open({
    bus: spiOpts.bus,
    device: spiOpts.device,
    speedHz: spiOpts.speedHz,
    ...(opts.spiModule ? { module: opts.spiModule } : {}),
  });
  const pin = opts.powerPin === undefined ? RESPEAKER_4MIC_POWER_PIN : opts.powerPin;
  let gpio: GpioSetOutput | undefined;
  if (pin) {
    gpio = new GpioSetOutput({
      chip: pin.chip,
      line: pin.line,
      ...(opts.gpioEnv ? { env: opts.gpioEnv } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    try {
      await gpio.probe();
    } catch (err) {
      await spi.close().catch(() => undefined);
      throw err;
    }
  }
  const apa = new Apa102Renderer(spi, {
    ...(opts.brightness !== undefined ? { brightness: opts.brightness } : {}),
    ...(gpio ? { powerPin: gpio } : {}),
  });
  if (!gpio) return apa;
  const power = gpio;
  // Apa102Renderer drives the pin low on close; the gpioset holding it low must then be stopped too.
  return {
    render: (frame) => apa.render(frame),
    close: async () => {
      try {
        await apa.close();
      } finally {
        await power.close();
      }
    },
  };
}
