import type { Readable } from 'node:stream';

/**
 * Which MQTT version a new connection speaks, read from its first packet (CONNECT: fixed header,
 * protocol name, protocol level) before anything else reads the stream, so the broker can put the
 * MQTT 5 adapter in front of aedes or not. The bytes read are put back (unshift) for whoever reads
 * next.
 */
export type ProtocolLevel = number | 'not-connect';

/** The level in `bytes`, 'not-connect' when they cannot start a CONNECT, undefined when more are needed. */
export function protocolLevelOf(bytes: Buffer): ProtocolLevel | undefined {
  if (bytes.length === 0) return undefined;
  if ((bytes[0] as number) >> 4 !== 1) return 'not-connect';
  let i = 1;
  for (; ; i++) {
    if (i >= bytes.length) return undefined;
    if (i > 4) return 'not-connect';
    if (((bytes[i] as number) & 0x80) === 0) break;
  }
  const nameAt = i + 1;
  if (bytes.length < nameAt + 2) return undefined;
  const nameLength = bytes.readUInt16BE(nameAt);
  if (nameLength !== 4 && nameLength !== 6) return 'not-connect';
  const levelAt = nameAt + 2 + nameLength;
  if (bytes.length <= levelAt) return undefined;
  return bytes[levelAt] as number;
}

/**
 * Waits for enough of `conn` to know its protocol level, then puts those bytes back. Resolves
 * undefined when the connection closed, or was closed here after `timeoutMs` without a CONNECT.
 */
export function sniffProtocolLevel(conn: Readable, timeoutMs: number): Promise<ProtocolLevel | undefined> {
  return new Promise((resolve) => {
    let seen = Buffer.alloc(0);
    const finish = (level: ProtocolLevel | undefined): void => {
      clearTimeout(timer);
      conn.off('readable', onReadable);
      conn.off('close', onClose);
      if (level !== undefined && seen.length > 0) conn.unshift(seen);
      resolve(level);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = conn.read() as Buffer | null) !== null) seen = Buffer.concat([seen, chunk]);
      const level = protocolLevelOf(seen);
      if (level !== undefined) finish(level);
    };
    const onClose = (): void => finish(undefined);
    const timer = setTimeout(() => {
      finish(undefined);
      conn.destroy();
    }, timeoutMs);
    conn.on('readable', onReadable);
    conn.once('close', onClose);
  });
}
