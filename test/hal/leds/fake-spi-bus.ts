import type {
  SpiDeviceHandle,
  SpiDeviceModule,
  SpiDeviceOpenOptions,
  SpiDeviceTransfer,
} from '../../../hal/leds/spi-device-transport.js';

export interface Transfer {
  bytes: number[];
  byteLength: number;
  speedHz: number | undefined;
}

/**
 * The SPI bus, the lowest mockable layer: a stand-in for the `spi-device` addon that records what
 * open() and transfer() receive and answers asynchronously like the real one.
 */
export class FakeSpiBus implements SpiDeviceModule {
  opened: Array<{ bus: number; device: number; options: SpiDeviceOpenOptions }> = [];
  /** One entry per transfer() call: the messages (segments) it carried. */
  calls: Transfer[][] = [];
  closed = 0;
  openError: NodeJS.ErrnoException | undefined;
  failNext: Error | undefined;

  open(bus: number, device: number, options: SpiDeviceOpenOptions, cb: (err?: Error | null) => void): SpiDeviceHandle {
    this.opened.push({ bus, device, options });
    const err = this.openError;
    setImmediate(() => cb(err ?? null));
    return {
      transfer: (message: SpiDeviceTransfer[], done: (err?: Error | null) => void) => {
        this.calls.push(
          message.map((m) => ({ bytes: Array.from(m.sendBuffer ?? []), byteLength: m.byteLength, speedHz: m.speedHz })),
        );
        const fail = this.failNext;
        this.failNext = undefined;
        setImmediate(() => done(fail ?? null));
      },
      close: (done: (err?: Error | null) => void) => {
        this.closed++;
        setImmediate(() => done(null));
      },
    };
  }

  /** Everything sent, in order. */
  get sent(): number[] {
    return this.calls.flatMap((c) => c.flatMap((m) => m.bytes));
  }
}
