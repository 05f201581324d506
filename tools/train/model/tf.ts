import { createRequire } from 'node:module';
import path from 'node:path';
import { EchosimError } from '../../../core/errors.js';

export type Tf = typeof import('@tensorflow/tfjs');

let loaded: Promise<Tf> | undefined;

/**
 * @tensorflow/tfjs on its WebAssembly backend (SIMD, one thread in Node: deterministic, and the other
 * core stays free for the TTS engines). Loaded on first use, so no other command pays for it.
 */
export function loadTf(): Promise<Tf> {
  loaded ??= (async () => {
    try {
      const tf = await import('@tensorflow/tfjs');
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const dir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths(`${dir}${path.sep}`);
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      await tf.ready();
      return tf;
    } catch (cause) {
      loaded = undefined;
      throw new EchosimError('TRAIN_TOOL_MISSING', `cannot load @tensorflow/tfjs with its wasm backend: ${(cause as Error).message}`, {
        cause,
        hint: 'run "npm install" in the echosim folder (bash tools/setup.sh does)',
      });
    }
  })();
  return loaded;
}
