import { EchosimError } from '../../core/errors.js';
import { SileroVadModel } from '../../models/vad/silero-vad.js';
import { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';

/** The inference models a simulation needs: the spotter's (also the cloud verifier's) and Silero VAD. */
export interface HarnessModels {
  readonly wakeword: OpenWakeWordModels;
  readonly vad: SileroVadModel;
}

/**
 * Loading the three openWakeWord graphs and Silero costs far more than starting a cloud and a few
 * devices, and the loaded models are stateless (every device and every cloud verification session
 * gets its own engine state over them). So a process loads them once, on the first simulation, and
 * every later simulation shares them; `disposeModels()` (jest's afterAll) releases them.
 */
let loading: Promise<HarnessModels> | undefined;
/** Simulations started and not yet stopped: the models must outlive them. */
let users = 0;

/** The process's shared models, loading them on first use. */
export function sharedModels(): Promise<HarnessModels> {
  loading ??= (async () => {
    const wakeword = await OpenWakeWordModels.load({ keywords: ['alexa'] });
    try {
      return { wakeword, vad: await SileroVadModel.load() };
    } catch (err) {
      await wakeword.dispose();
      throw err;
    }
  })().catch((err: unknown) => {
    loading = undefined; // a later attempt may succeed (e.g. after the model files are installed)
    throw err;
  });
  return loading;
}

/** Marks a simulation as using the shared models until the returned release function is called. */
export function retainModels(): () => void {
  users++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    users--;
  };
}

/**
 * Releases the shared models (call it in jest's `afterAll`, after every simulation has stopped). The
 * next simulation loads them again. Refused while a simulation still runs: its devices would be left
 * with released sessions.
 */
export async function disposeModels(): Promise<void> {
  if (users > 0) {
    throw new EchosimError('HARNESS_BUSY', `${users} simulation(s) still running: the shared models are in use`, {
      hint: 'await sim.stop() for every simulation (e.g. in afterEach) before disposeModels() in afterAll',
    });
  }
  const pending = loading;
  loading = undefined;
  const models = await pending?.catch(() => undefined);
  await models?.wakeword.dispose();
  await models?.vad.dispose();
}
