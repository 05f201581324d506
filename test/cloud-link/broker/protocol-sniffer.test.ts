/**
 * Which MQTT a connection speaks, from the first bytes of its CONNECT, however they arrive; the bytes
 * are put back for the broker to read.
 */
import { PassThrough } from 'node:stream';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { protocolLevelOf, sniffProtocolLevel } from '../../../cloud-link/broker/protocol-sniffer.js';

const connect = (protocolVersion: 3 | 4 | 5): Buffer =>
  mqttPacket.generate(
    { cmd: 'connect', protocolId: protocolVersion === 3 ? 'MQIsdp' : 'MQTT', protocolVersion, clientId: 'c', clean: true, keepalive: 10 } as Packet,
    { protocolVersion },
  );

describe('protocol sniffer', () => {
  it('reads the level of 3.1, 3.1.1 and 5 CONNECTs, asking for more bytes until it can', () => {
    for (const v of [3, 4, 5] as const) {
      const bytes = connect(v);
      const levelAt = v === 3 ? 10 : 8;
      for (let n = 0; n <= levelAt; n++) expect(protocolLevelOf(bytes.subarray(0, n))).toBeUndefined();
      expect(protocolLevelOf(bytes.subarray(0, levelAt + 1))).toBe(v);
    }
    expect(protocolLevelOf(mqttPacket.generate({ cmd: 'pingreq' } as Packet))).toBe('not-connect');
    expect(protocolLevelOf(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x01]))).toBe('not-connect');
    expect(protocolLevelOf(Buffer.from([0x10, 10, 0, 9]))).toBe('not-connect');
  });

  it('puts back every byte it read, and gives up on a connection that sends no CONNECT', async () => {
    const conn = new PassThrough();
    const bytes = Buffer.concat([connect(5), mqttPacket.generate({ cmd: 'pingreq' } as Packet)]);
    const level = sniffProtocolLevel(conn, 10_000);
    conn.write(bytes.subarray(0, 3));
    await new Promise((r) => setImmediate(r));
    conn.write(bytes.subarray(3));
    expect(await level).toBe(5);
    expect(Buffer.concat([conn.read() as Buffer]).equals(bytes)).toBe(true);

    const silent = new PassThrough();
    expect(await sniffProtocolLevel(silent, 10)).toBeUndefined();
    expect(silent.destroyed).toBe(true);
  });
});
