import type { Directive } from './directives.js';
import type { Intent } from './intent.js';

/** An utterance/{n}/response as the device's link hands it on: the audio decoded, the rest as sent. */
export interface UtteranceAnswer {
  readonly id: number;
  readonly audio?: Int16Array;
  readonly sampleRate?: number;
  readonly intent?: Intent;
  readonly directives?: readonly Directive[];
}
