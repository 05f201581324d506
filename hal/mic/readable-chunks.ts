import type { Readable } from 'node:stream';

/**
 * Pulls Buffers from a Readable one at a time (so backpressure reaches the producer: a pipe from
 * arecord, stdin, a file), ends when the stream ends, throws the stream's error, and returns at once
 * when `signal` aborts. Unlike `for await (... of stream)` it never destroys the stream: the caller
 * decides (process.stdin must survive a closed source).
 */
export async function* readChunks(stream: Readable, signal: AbortSignal): AsyncGenerator<Buffer, void, undefined> {
  // Listen for errors for the whole iteration, not only while waiting: an 'error' with no listener
  // would crash the process.
  let failure: { error: unknown } | undefined;
  const onError = (error: unknown): void => {
    failure ??= { error };
  };
  stream.on('error', onError);
  try {
    while (!signal.aborted) {
      if (failure) throw failure.error;
      const chunk = stream.read() as Buffer | string | null;
      if (chunk !== null) {
        yield typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
        continue;
      }
      if (stream.errored) throw stream.errored;
      if (stream.readableEnded || stream.destroyed) return;
      await nextEvent(stream, signal);
    }
  } finally {
    stream.off('error', onError);
  }
}

/** Resolves on the stream's next readable/end/error/close event or on abort; errors are read by the caller. */
function nextEvent(stream: Readable, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off('readable', done);
      stream.off('end', done);
      stream.off('error', done);
      stream.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    stream.on('readable', done);
    stream.on('end', done);
    stream.on('error', done);
    stream.on('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
