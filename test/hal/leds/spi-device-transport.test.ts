import { Apa102Renderer, encodeApa102 } from '../../../hal/leds/apa102.js';
import {
  loadSpiDeviceModule,
  SpiDeviceTransport,
  SPIDEV_DEFAULT_BUFSIZ,
} from '../../../hal/leds/spi-device-transport.js';
import { FakeSpiBus } from './fake-spi-bus.js';

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

describe('SpiDeviceTransport', () => {
  test('opens /dev/spidev0.1 in mode 0 at 8 MHz by default (ReSpeaker 4-Mic HAT)', async () => {
    const bus = new FakeSpiBus();
    const spi = await SpiDeviceTransport.open({ module: bus });
    expect(bus.opened).toEqual([{ bus: 0, device: 1, options: { mode: 0, maxSpeedHz: 8_000_000 } }]);
    expect(spi.path).toBe('/dev/spidev0.1');
    await spi.close();
    expect(bus.closed).toBe(1);
  });

  test('a known LED frame through Apa102Renderer reaches transfer() as exactly the APA102 bytes at 8 MHz', async () => {
    const bus = new FakeSpiBus();
    const spi = await SpiDeviceTransport.open({ module: bus });
    const leds = new Apa102Renderer(spi, { brightness: 31 });
    await leds.render({ at: 0, leds: [{ r: 255, g: 0, b: 0 }, { r: 0, g: 255, b: 0 }, { r: 1, g: 2, b: 3 }] });
    expect(bus.calls).toEqual([
      [
        {
          bytes: [
            0x00, 0x00, 0x00, 0x00,
            0xff, 0x00, 0x00, 0xff,
            0xff, 0x00, 0xff, 0x00,
            0xff, 0x03, 0x02, 0x01,
            0xff, 0xff, 0xff, 0xff,
          ],
          byteLength: 20,
          speedHz: 8_000_000,
        },
      ],
    ]);
    await leds.close();
    expect(bus.calls[1]![0]!.bytes).toEqual([0, 0, 0, 0, 0xe0, 0, 0, 0, 0xe0, 0, 0, 0, 0xe0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    expect(bus.closed).toBe(1);
  });

  test("long frames go out as separate transfers within spidev's 4096-byte bufsiz, bytes in order", async () => {
    const bus = new FakeSpiBus();
    const spi = await SpiDeviceTransport.open({ module: bus, bus: 1, device: 0, speedHz: 4_000_000 });
    const leds = Array.from({ length: 1100 }, (_, k) => ({ r: k % 256, g: (k * 7) % 256, b: (k * 13) % 256 }));
    const expected = Array.from(encodeApa102({ at: 0, leds }));
    expect(expected.length).toBe(4 + 4400 + 69);
    await spi.write(Uint8Array.from(expected));
    expect(bus.calls.map((c) => c.length)).toEqual([1, 1]); // one segment per ioctl: the limit is per message
    expect(bus.calls.map((c) => c[0]!.byteLength)).toEqual([SPIDEV_DEFAULT_BUFSIZ, expected.length - SPIDEV_DEFAULT_BUFSIZ]);
    expect(bus.calls.every((c) => c[0]!.speedHz === 4_000_000)).toBe(true);
    expect(bus.sent).toEqual(expected);
  });

  test('concurrent writes never interleave, and the caller may reuse its buffer at once', async () => {
    const bus = new FakeSpiBus();
    const spi = await SpiDeviceTransport.open({ module: bus, maxChunkBytes: 2 });
    const buf = Uint8Array.from([1, 2, 3, 4, 5]);
    const a = spi.write(buf);
    buf.fill(9);
    const b = spi.write(Uint8Array.from([6, 7, 8]));
    await Promise.all([a, b]);
    expect(bus.calls.map((c) => c[0]!.bytes)).toEqual([[1, 2], [3, 4], [5], [6, 7], [8]]);
  });

  test('a failed transfer rejects with SPI_UNAVAILABLE and the next write still goes out', async () => {
    const bus = new FakeSpiBus();
    const spi = await SpiDeviceTransport.open({ module: bus });
    bus.failNext = errno('EMSGSIZE', 'Message too long');
    await expect(spi.write(Uint8Array.from([1]))).rejects.toMatchObject({ code: 'SPI_UNAVAILABLE', hint: expect.stringMatching(/bufsiz/) });
    await spi.write(Uint8Array.from([2]));
    expect(bus.sent).toEqual([1, 2]);
    await spi.close();
    await expect(spi.write(Uint8Array.from([3]))).rejects.toMatchObject({ code: 'SPI_UNAVAILABLE' });
  });

  test('a missing /dev/spidevB.D is SPI_UNAVAILABLE with a hint to enable SPI and check the bus/device', async () => {
    const bus = new FakeSpiBus();
    bus.openError = errno('ENOENT', 'ENOENT, No such file or directory');
    const err = await SpiDeviceTransport.open({ module: bus }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SPI_UNAVAILABLE', message: expect.stringContaining('/dev/spidev0.1') });
    expect((err as { hint: string }).hint).toMatch(/raspi-config/);
    expect((err as { hint: string }).hint).toMatch(/bus 0 device 1/);

    bus.openError = errno('EACCES', 'EACCES, Permission denied');
    await expect(SpiDeviceTransport.open({ module: bus })).rejects.toMatchObject({ code: 'SPI_UNAVAILABLE', hint: expect.stringMatching(/spi group/) });
  });

  test('a missing spi-device module is SPI_UNAVAILABLE with an install hint', async () => {
    const err = await loadSpiDeviceModule('echosim-no-such-spi-module').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SPI_UNAVAILABLE', hint: expect.stringMatching(/npm install spi-device/) });
  });

  test('the real module path: a device that cannot exist is SPI_UNAVAILABLE (module missing or device missing)', async () => {
    await expect(SpiDeviceTransport.open({ bus: 97, device: 3 })).rejects.toMatchObject({ code: 'SPI_UNAVAILABLE' });
  });
});
