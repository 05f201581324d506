import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deviceModel } from '../../../firmware/device-model.js';
import type { ButtonDriver, ButtonEdge } from '../../../hal/buttons/types.js';
import { VirtualClock } from '../../../core/clock.js';
import type { MonoFrame } from '../../../hal/mic/types.js';
import type { WakeWordDetection, WakeWordEngine } from '../../../models/wakeword/types.js';
import { DeviceRuntime } from '../../../tools/runtime/device-runtime.js';

/** A spotter that never fires: these tests are about composition, not audio. */
class SilentEngine implements WakeWordEngine {
  readonly name = 'silent';
  readonly keywords = ['alexa'];
  async feed(_frame: MonoFrame): Promise<WakeWordDetection[]> {
    return [];
  }
  reset(): void {}
  async dispose(): Promise<void> {}
}

class RecordingButtons implements ButtonDriver {
  onEdge: ((e: ButtonEdge) => void) | undefined;
  constructor(private readonly order: string[]) {}
  start(onEdge: (e: ButtonEdge) => void): void {
    this.order.push('buttons started');
    this.onEdge = onEdge;
  }
  async close(): Promise<void> {
    this.order.push('buttons closed');
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function flash(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'echosim-runtime-'));
  dirs.push(d);
  return d;
}

describe('DeviceRuntime', () => {
  it('boots one way: the link follows the device before it boots, then connects; inputs start last', async () => {
    const order: string[] = [];
    const buttons = new RecordingButtons(order);
    const clock = new VirtualClock();
    const runtime = await DeviceRuntime.compose(() => ({
      device: { model: deviceModel('echo-dot-3'), clock, dataDir: flash(), engine: new SilentEngine() },
      // Nothing listens there: the link stays in its backoff, which is all this test needs.
      link: { url: 'mqtt://127.0.0.1:1', deviceId: 'runtime-1', secret: 'secret-of-runtime-1-0123456789', closeTimeoutMs: 10 },
      buttons: [buttons],
    }));
    const { device, link } = runtime;
    expect(link).toBeDefined();
    expect(device.state).toBe('BOOTING');
    await runtime.start({ ready: async () => void order.push(`ready in ${device.state}`) });
    // BOOTING -> CONNECTING was seen by the link's telemetry: it waits in the outbox (no broker).
    expect(link!.outboxDepth).toBeGreaterThan(0);
    expect(order).toEqual(['ready in CONNECTING', 'buttons started']);
    expect(link!.whenSynced()).toBeInstanceOf(Promise); // started: the shadow sync exists
    await runtime.start(); // once
    expect(order).toEqual(['ready in CONNECTING', 'buttons started']);
    await runtime.stop();
  });

  it('tears down in reverse: inputs, then the link, then the device, then what was opened (last first); listeners removed', async () => {
    const order: string[] = [];
    const buttons = new RecordingButtons(order);
    const clock = new VirtualClock();
    const runtime = await DeviceRuntime.compose(async (parts) => {
      await parts.open(() => 'model', () => void order.push('model released'));
      await parts.open(() => 'source', () => void order.push('source released'));
      return {
        device: { model: deviceModel('echo-dot-3'), clock, dataDir: flash(), engine: new SilentEngine() },
        link: { url: 'mqtt://127.0.0.1:1', deviceId: 'runtime-2', secret: 'secret-of-runtime-2-0123456789', closeTimeoutMs: 10 },
        buttons: [buttons],
      };
    });
    const { device, link } = runtime;
    const close = link!.close.bind(link);
    link!.close = () => (order.push('link closing'), close());
    const stop = device.stop.bind(device);
    device.stop = () => (order.push(`device stopping, link ${link!.connectionState}`), stop());
    await runtime.start();
    expect(device.listenerCount('state')).toBeGreaterThan(0);
    await Promise.all([runtime.stop(), runtime.stop()]);
    expect(order).toEqual(['buttons started', 'buttons closed', 'link closing', 'device stopping, link CLOSED', 'source released', 'model released']);
    for (const name of device.eventNames()) expect([name, device.listenerCount(name)]).toEqual([name, 0]);
  });

  it('a device without a link boots the same way (offline) and its buttons reach it', async () => {
    const order: string[] = [];
    const buttons = new RecordingButtons(order);
    const runtime = await DeviceRuntime.compose(() => ({
      device: { model: deviceModel('echo-dot-3'), clock: new VirtualClock(), dataDir: flash(), engine: new SilentEngine(), offline: true },
      buttons: [buttons],
    }));
    expect(runtime.link).toBeUndefined();
    await runtime.start();
    expect(runtime.device.state).toBe('IDLE');
    const pressed: string[] = [];
    runtime.device.on('button', (b) => pressed.push(`${b.button} ${b.action}`));
    const clock = runtime.device.clock as VirtualClock;
    buttons.onEdge!({ button: 'volume-up', pressed: true, at: 0 });
    await clock.advance(100);
    buttons.onEdge!({ button: 'volume-up', pressed: false, at: 100 });
    await clock.advance(500);
    expect(pressed.length).toBeGreaterThan(0);
    expect(pressed.every((p) => p.startsWith('volume-up'))).toBe(true);
    await runtime.stop();
    expect(order).toEqual(['buttons started', 'buttons closed']);
  });

  it('undoes a composition that fails half-way: what was lent to the device first, then what was opened, last first', async () => {
    const order: string[] = [];
    await expect(
      DeviceRuntime.compose(async (parts) => {
        await parts.open(() => 'model', () => void order.push('model released'));
        await parts.lend(() => 'speaker', () => void order.push('speaker closed'));
        parts.own(() => void order.push('flash removed'));
        await parts.open(() => {
          throw new Error('no LED bus');
        });
        return { device: { model: deviceModel('echo-dot-3'), clock: new VirtualClock(), dataDir: flash(), engine: new SilentEngine() } };
      }),
    ).rejects.toThrow('no LED bus');
    expect(order).toEqual(['speaker closed', 'flash removed', 'model released']);
  });

  it('refuses a bad link (an invalid device id) and releases what the builder opened', async () => {
    const order: string[] = [];
    await expect(
      DeviceRuntime.compose(async (parts) => {
        await parts.open(() => 'model', () => void order.push('model released'));
        return {
          device: { model: deviceModel('echo-dot-3'), clock: new VirtualClock(), dataDir: flash(), engine: new SilentEngine() },
          link: { url: 'mqtt://127.0.0.1:1', deviceId: 'not a serial!', secret: 'x' },
        };
      }),
    ).rejects.toMatchObject({ code: 'DEVICE_ID_INVALID' });
    expect(order).toEqual(['model released']);
  });
});
