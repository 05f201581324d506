/**
 * The in-memory stream pair the MQTT 5 adapter and in-process clients use: what one side writes the
 * other reads, in order, and a close behaves as a socket's does for its peer.
 */
import type { Duplex } from 'node:stream';
import { memoryDuplexPair } from '../../../cloud-link/broker/memory-duplex.js';

/** Resolves with everything `side` reads until it closes, and whether it errored. */
function drain(side: Duplex): Promise<{ data: string; ended: boolean; error: Error | undefined }> {
  return new Promise((resolve) => {
    let data = '';
    let ended = false;
    let error: Error | undefined;
    side.on('data', (chunk: Buffer) => (data += chunk.toString()));
    side.on('end', () => (ended = true));
    side.on('error', (err) => (error = err));
    side.on('close', () => resolve({ data, ended, error }));
  });
}

test('carries writes in order and ends the peer on end(); both sides close', async () => {
  const [a, b] = memoryDuplexPair();
  const read = drain(b);
  const aClosed = new Promise((r) => a.once('close', r));
  a.resume();
  a.write('one ');
  a.write('two');
  a.end();
  expect(await read).toEqual({ data: 'one two', ended: true, error: undefined });
  await aClosed;
});

test('a destroyed side leaves its peer what it wrote before (a refusal before the drop), then ends it', async () => {
  const [broker, client] = memoryDuplexPair();
  client.pause(); // the client is busy: what comes is buffered
  broker.write('CONNACK 5');
  broker.destroy();
  const read = drain(client);
  client.resume();
  expect(await read).toEqual({ data: 'CONNACK 5', ended: true, error: undefined });
});

test('writing to a destroyed side fails and closes the writer, as a reset socket does', async () => {
  const [a, b] = memoryDuplexPair();
  b.destroy();
  const closed = drain(a);
  a.write('too late');
  const outcome = await closed;
  expect(outcome.error?.message).toBe('the other side is closed');
});

test('a write waiting for a reader that is then destroyed fails instead of hanging', async () => {
  const [a, b] = memoryDuplexPair();
  b.pause();
  const big = Buffer.alloc(64 * 1024, 1); // over the reader's high-water mark: the write waits
  const closed = drain(a);
  a.write(big);
  a.write(big);
  b.destroy();
  const outcome = await closed;
  expect(outcome.error?.message).toBe('the other side is closed');
});
