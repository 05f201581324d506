/**
 * The framing guard on its own, over a stand-in socket: bytes pass unchanged however the network
 * splits them, and a packet over the limit stops at its fixed header.
 */
import { Duplex } from 'node:stream';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { PacketGuard, type PacketViolation } from '../../../cloud-link/broker/packet-guard.js';

const LIMITS = { preAuth: 100, device: 1000, cloud: 10_000 };

/** A socket whose client side the test drives: `send` is what the client sends, `written` what the broker wrote. */
function fakeSocket(): { socket: Duplex; send: (b: Buffer) => void; written: Buffer[]; paused: () => boolean } {
  const written: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _e, cb) {
      written.push(chunk);
      cb();
    },
  });
  return { socket, send: (b) => socket.push(b), written, paused: () => socket.isPaused() };
}

function guarded(): { guard: PacketGuard; send: (b: Buffer) => void; received: () => Buffer; violations: PacketViolation[]; socket: Duplex; paused: () => boolean } {
  const { socket, send, paused } = fakeSocket();
  const violations: PacketViolation[] = [];
  const guard = new PacketGuard(socket, { limits: LIMITS, onViolation: (v) => violations.push(v) });
  const chunks: Buffer[] = [];
  guard.on('data', (c: Buffer) => chunks.push(c));
  guard.on('error', () => undefined);
  return { guard, send, received: () => Buffer.concat(chunks), violations, socket, paused };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const connect = mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'dev-1', clean: true, keepalive: 30, username: 'dev-1', password: Buffer.from('pw') } as Packet);
const publish = (bytes: number): Buffer => mqttPacket.generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(bytes, 1), qos: 0, dup: false, retain: false } as Packet);

describe('PacketGuard', () => {
  it('passes every byte on unchanged, however the packets are split', async () => {
    const stream = Buffer.concat([connect, publish(50), publish(0), publish(900), mqttPacket.generate({ cmd: 'pingreq' } as Packet)]);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const g = guarded();
      g.guard.setRole('device');
      for (let i = 0; i < stream.length; i += size) g.send(stream.subarray(i, i + size));
      await tick();
      expect(g.received().equals(stream)).toBe(true);
      expect(g.violations).toEqual([]);
    }
  });

  it('closes the connection at the header of a packet over the role limit, passing none of its body', async () => {
    const g = guarded();
    g.send(connect);
    await tick();
    g.guard.setRole('device');
    const big = publish(5000);
    g.send(big.subarray(0, 2000));
    await tick();
    expect(g.violations).toEqual([{ packetBytes: big.length, limit: 1000, role: 'device', packetType: 3, reason: `packet of ${big.length} bytes over the 1000-byte limit for device` }]);
    expect(g.received().length).toBeLessThanOrEqual(connect.length + 3); // at most the refused packet's fixed header
    expect(g.guard.destroyed).toBe(true);
    expect(g.socket.destroyed).toBe(true);
  });

  it('refuses a first packet larger than a CONNECT may be, and a malformed remaining length', async () => {
    const first = guarded();
    first.send(publish(200));
    await tick();
    expect(first.violations.map((v) => [v.role, v.limit])).toEqual([[undefined, 100]]);
    const malformed = guarded();
    malformed.send(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
    await tick();
    expect(malformed.violations.map((v) => v.reason)).toEqual(['malformed remaining length']);
  });

  it('holds a large packet sent right behind the CONNECT until the client is known, then applies its limit', async () => {
    const cloud = guarded();
    const big = publish(5000);
    cloud.send(Buffer.concat([connect, big]));
    await tick();
    expect(cloud.received().equals(Buffer.concat([connect, big.subarray(0, 3)]))).toBe(true);
    expect(cloud.guard.heldBytes).toBe(big.length - 3);
    expect(cloud.paused()).toBe(true);
    cloud.guard.setRole('cloud');
    await tick();
    expect(cloud.received().equals(Buffer.concat([connect, big]))).toBe(true);
    expect(cloud.violations).toEqual([]);

    const device = guarded();
    device.send(Buffer.concat([connect, big]));
    await tick();
    device.guard.setRole('device');
    await tick();
    expect(device.violations.map((v) => v.limit)).toEqual([1000]);
    expect(device.received().length).toBe(connect.length + 3);
  });
});
