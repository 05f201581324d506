import { Apa102Renderer, encodeApa102, type GpioOutput, type SpiTransport } from '../../../hal/leds/apa102.js';

/** The bus as the lowest mockable layer: it records the bytes written, nothing else. */
class RecordingSpi implements SpiTransport {
  writes: Uint8Array[] = [];
  closed = false;
  async write(bytes: Uint8Array): Promise<void> {
    this.writes.push(Uint8Array.from(bytes));
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('APA102 framing', () => {
  test('a known 3-LED frame matches the datasheet byte for byte', () => {
    const bytes = encodeApa102({ at: 0, leds: [{ r: 255, g: 0, b: 0 }, { r: 0, g: 255, b: 0 }, { r: 1, g: 2, b: 3 }] }, 31);
    expect(Array.from(bytes)).toEqual([
      0x00, 0x00, 0x00, 0x00, // start frame
      0xff, 0x00, 0x00, 0xff, // LED 0: 0xE0|31, blue, green, red = red
      0xff, 0x00, 0xff, 0x00, // LED 1: green
      0xff, 0x03, 0x02, 0x01, // LED 2: B G R order
      0xff, 0xff, 0xff, 0xff, // end frame
    ]);
  });

  test('brightness goes in the low five bits of each LED header; channel values are clamped', () => {
    const bytes = encodeApa102({ at: 0, leds: [{ r: 300, g: -4, b: 12.6 }] }, 5);
    expect(Array.from(bytes.subarray(4, 8))).toEqual([0xe5, 13, 0, 255]);
    expect(() => encodeApa102({ at: 0, leds: [] }, 32)).toThrow(expect.objectContaining({ code: 'LED_FRAME_INVALID' }));
  });

  test('a 12-LED ring is 4 + 48 + 4 bytes; chains past 64 LEDs get a longer end frame', () => {
    const ring = Array.from({ length: 12 }, () => ({ r: 0, g: 0, b: 255 }));
    expect(encodeApa102({ at: 0, leds: ring }).length).toBe(56);
    const long = Array.from({ length: 100 }, () => ({ r: 0, g: 0, b: 0 }));
    const bytes = encodeApa102({ at: 0, leds: long });
    expect(bytes.length).toBe(4 + 400 + 7);
    expect(Array.from(bytes.subarray(404))).toEqual(Array(7).fill(0xff));
  });

  test('the renderer powers the LEDs before the first frame, and blanks then unpowers them on close', async () => {
    const spi = new RecordingSpi();
    const pin: boolean[] = [];
    const power: GpioOutput = { set: async (high) => void pin.push(high) };
    const r = new Apa102Renderer(spi, { brightness: 10, powerPin: power });
    await r.render({ at: 0, leds: [{ r: 9, g: 8, b: 7 }, { r: 0, g: 0, b: 0 }] });
    await r.render({ at: 33, leds: [{ r: 1, g: 1, b: 1 }, { r: 2, g: 2, b: 2 }] });
    await r.close();
    expect(pin).toEqual([true, false]);
    expect(spi.writes).toHaveLength(3);
    expect(Array.from(spi.writes[0]!.subarray(4, 8))).toEqual([0xea, 7, 8, 9]);
    expect(Array.from(spi.writes[2]!)).toEqual([0, 0, 0, 0, 0xe0, 0, 0, 0, 0xe0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    expect(spi.closed).toBe(true);
  });
});
