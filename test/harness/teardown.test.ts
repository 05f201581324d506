/**
 * Example: a simulation leaves nothing behind (no listening port, no open socket, no file), and the
 * harness says clearly what went wrong when a test misuses it or waits in vain. Written only against
 * the public harness API (and Node's own modules to check ports and files).
 */
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import { DEMO_WAV, disposeModels, startSimulation, type Simulation } from '../../tools/harness/index.js';

let sim: Simulation | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});
afterAll(async () => {
  await disposeModels();
});

/** Whether a TCP port on 127.0.0.1 can be bound (and is released again at once). */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** How many TCP servers and sockets this process holds. */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'TCPSocketWrap').length;
}

/**
 * The TCP handle count once libuv has finished closing what was closed: a closed server's handle is
 * released on a following turn of the event loop (after its close callback). Bounded in turns, not time.
 */
async function tcpHandlesSettled(expected: number): Promise<number> {
  for (let turn = 0; turn < 100 && tcpHandles() !== expected; turn++) await new Promise((resolve) => setImmediate(resolve));
  return tcpHandles();
}

test('stop() closes every port and socket and removes every file', async () => {
  const handlesBefore = tcpHandles();
  sim = await startSimulation({ devices: 2, http: true });
  const { dir } = sim;
  const brokerPort = sim.cloud.brokerPort;
  const apiPort = Number(new URL(sim.cloud.apiUrl!).port);
  await sim.devices[0]!.play(DEMO_WAV);

  expect(existsSync(dir)).toBe(true);
  expect(await canBind(brokerPort)).toBe(false); // in use while running: the check can fail
  expect(await canBind(apiPort)).toBe(false);
  expect(tcpHandles()).toBeGreaterThan(handlesBefore);

  await sim.stop();
  expect(existsSync(dir)).toBe(false);
  expect(await canBind(brokerPort)).toBe(true);
  expect(await canBind(apiPort)).toBe(true);
  expect(await tcpHandlesSettled(handlesBefore)).toBe(handlesBefore);
  await sim.stop(); // twice is fine
});

test('a simulation that fails to start cleans up after itself and says why', async () => {
  const simDirs = (): string[] => readdirSync(os.tmpdir()).filter((f) => f.startsWith('echosim-sim-'));
  const before = simDirs();
  await expect(startSimulation({ devices: [{ id: 'ok-1' }, { id: 'bad', model: 'echo-9000' }] })).rejects.toMatchObject({
    code: 'DEVICE_MODEL_UNKNOWN',
    message: expect.stringContaining('echo-9000'),
    hint: expect.stringContaining('echo-dot-3'),
  });
  expect(simDirs().filter((d) => !before.includes(d))).toEqual([]);
});

test('a stopped simulation refuses further use with HARNESS_STOPPED', async () => {
  sim = await startSimulation({ devices: 1 });
  const [echo] = sim.devices;
  await sim.stop();
  await expect(echo!.play(DEMO_WAV)).rejects.toMatchObject({ code: 'HARNESS_STOPPED' });
  await expect(echo!.press('action')).rejects.toMatchObject({ code: 'HARNESS_STOPPED' });
  await expect(sim.cloud.call('SearchDevices', {})).rejects.toMatchObject({ code: 'HARNESS_STOPPED', hint: expect.stringContaining('afterEach') });
  await expect(sim.advance(1000)).rejects.toMatchObject({ code: 'HARNESS_STOPPED' });
});

test('a wait that times out names what it waited for, where the device is, and the last events', async () => {
  sim = await startSimulation({ devices: 1 });
  const [echo] = sim.devices;
  const err = await echo!.waitFor('SPEAKING', { maxDeviceMs: 2000 }).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'HARNESS_TIMEOUT', details: { what: 'state SPEAKING' } });
  const message = (err as Error).message;
  expect(message).toContain('state SPEAKING');
  expect(message).toContain('2000 ms of device time');
  expect(message).toContain('it is IDLE');
  expect(message).toContain('state CONNECTING->IDLE (LINK_UP)');
  expect(echo!.clock.now()).toBeGreaterThanOrEqual(2000); // device time did pass

  // with the clocks held still, only the real-time budget counts
  const still = echo!.clock.now();
  await expect(echo!.waitFor({ event: 'false-wake' }, { timeoutMs: 200, advance: false })).rejects.toMatchObject({
    code: 'HARNESS_TIMEOUT',
    message: expect.stringContaining('event "false-wake"'),
  });
  expect(echo!.clock.now()).toBe(still);
});

test('misuse is refused with a code and a hint', async () => {
  sim = await startSimulation({ devices: 1 });
  const [echo] = sim.devices;
  await expect(echo!.press('call')).rejects.toMatchObject({ code: 'HARNESS_INVALID', hint: expect.stringContaining('mic-off') });
  await expect(echo!.waitFor('DREAMING' as never)).rejects.toMatchObject({ code: 'HARNESS_INVALID' });
  await expect(echo!.play('no-such-file.wav')).rejects.toMatchObject({ code: expect.stringMatching(/^WAV_/) });
  await expect(echo!.play(DEMO_WAV, { buttons: '1.0:teleport' })).rejects.toMatchObject({ code: 'BUTTON_SCRIPT_INVALID' });

  // one playback at a time: while one runs, nothing else may move the clock
  const running = echo!.play(DEMO_WAV);
  await expect(echo!.play(DEMO_WAV)).rejects.toMatchObject({ code: 'HARNESS_BUSY' });
  await expect(echo!.advance(100)).rejects.toMatchObject({ code: 'HARNESS_BUSY' });
  const ended = await running;
  await expect(ended.resume()).rejects.toMatchObject({ code: 'HARNESS_INVALID' });

  // a paused playback keeps the microphones until it is resumed or ended
  const paused = await echo!.play(DEMO_WAV, { until: 'LISTENING' });
  await expect(echo!.play(DEMO_WAV)).rejects.toMatchObject({ code: 'HARNESS_BUSY' });
  const done = await paused.end();
  expect(done.status).toBe('ended');
  expect(echo!.of('stream-end').at(-1)).toMatchObject({ reason: 'source-ended' });
  expect(() => sim!.device('nobody')).toThrow(expect.objectContaining({ code: 'HARNESS_INVALID' }));
});
