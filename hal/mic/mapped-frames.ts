import type { MicFrame } from './types.js';

/**
 * Each frame of `frames` passed through `map`, as they are pulled. For a wrapping source (one that
 * changes or watches another's frames and adds no pacing of its own): a plain iterator costs a frame
 * one promise reaction, where an async generator around the inner one costs a resume, an await and a
 * yield. Ending and closing are the inner iteration's: `return()` is passed on.
 */
export function mappedFrames(frames: AsyncIterable<MicFrame>, map: (frame: MicFrame) => MicFrame): AsyncIterable<MicFrame> {
  return {
    [Symbol.asyncIterator]: (): AsyncIterator<MicFrame> => {
      const inner = frames[Symbol.asyncIterator]();
      return {
        next: () => inner.next().then((r) => (r.done ? r : { done: false, value: map(r.value) })),
        return: (value?: unknown) => (inner.return ? inner.return(value) : Promise.resolve({ done: true, value: undefined })),
      };
    },
  };
}
