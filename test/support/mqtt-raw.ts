/**
 * MQTT below mqtt.js, for what a well-behaved client library will not send: packets with raw topic
 * bytes (invalid UTF-8), and a PUBLISH whose fixed header announces hundreds of megabytes, streamed
 * piece by piece to see where the broker cuts it off.
 */
import { createConnection, type Socket } from 'node:net';
import mqttPacket, { type IConnectPacket, type Packet } from 'mqtt-packet';

export interface RawSocket {
  socket: Socket;
  /** Packets received so far, in order. */
  packets: Packet[];
  closed: () => boolean;
  /** Resolves when the broker (or we) closed the socket. */
  whenClosed: Promise<void>;
}

/** Opens a TCP connection, sends CONNECT (v4 unless the packet says 5) and waits for CONNACK. */
export async function rawMqttSocket(port: number, connect: Omit<IConnectPacket, 'cmd'>): Promise<RawSocket> {
  const socket = createConnection({ port, host: '127.0.0.1' });
  const protocolVersion = connect.protocolVersion ?? 4;
  const parser = mqttPacket.parser({ protocolVersion });
  const packets: Packet[] = [];
  let closed = false;
  const whenClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void whenClosed.then(() => (closed = true));
  socket.on('error', () => undefined);
  parser.on('packet', (p: Packet) => packets.push(p));
  socket.on('data', (d: Buffer) => parser.parse(d));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, keepalive: 60, clean: true, ...connect } as Packet, { protocolVersion }));
  const deadline = Date.now() + 10_000;
  while (!packets.some((p) => p.cmd === 'connack') && !closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return { socket, packets, closed: () => closed, whenClosed };
}

/** The bytes of a PUBLISH fixed header (QoS 0) for a packet whose remaining length is `remaining`. */
export function publishHeader(remaining: number): Buffer {
  const bytes = [0x30];
  let n = remaining;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}

/** A QoS 0 PUBLISH with the topic given as raw bytes (which may not be UTF-8). */
export function publishWithTopicBytes(topic: Buffer, payload: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(topic.length);
  const body = Buffer.concat([length, topic, payload]);
  return Buffer.concat([publishHeader(body.length), body]);
}

/**
 * Sends a PUBLISH announcing `announcedBytes` of body, then streams its body in 1 MiB pieces (waiting
 * for the socket to drain) until the broker closes the connection or `sendAtMost` bytes have gone.
 */
export async function streamOversizedPublish(raw: RawSocket, topic: string, announcedBytes: number, sendAtMost: number): Promise<{ sent: number; closed: boolean }> {
  const topicBytes = Buffer.from(topic);
  const start = Buffer.alloc(2 + topicBytes.length);
  start.writeUInt16BE(topicBytes.length);
  topicBytes.copy(start, 2);
  raw.socket.write(Buffer.concat([publishHeader(announcedBytes), start]));
  const piece = Buffer.alloc(1024 * 1024, 0x61);
  let sent = 0;
  while (sent < sendAtMost && !raw.closed() && !raw.socket.destroyed) {
    const ok = raw.socket.write(piece);
    sent += piece.length;
    if (!ok) {
      await Promise.race([new Promise((r) => raw.socket.once('drain', r)), raw.whenClosed, new Promise((r) => setTimeout(r, 2000))]);
    }
  }
  await Promise.race([raw.whenClosed, new Promise((r) => setTimeout(r, 2000))]);
  return { sent, closed: raw.closed() };
}
