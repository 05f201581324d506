import type { Readable } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { AlsaSource } from './alsa-source.js';
import { StdinSource } from './stdin-source.js';
import { SyntheticSource, type SyntheticKind } from './synthetic-source.js';
import type { MicSource } from './types.js';
import { WavSource } from './wav-source.js';

/** A parsed `--mic` value. */
export type MicSpec =
  | { readonly kind: 'wav'; readonly files: readonly string[] }
  | { readonly kind: 'alsa'; readonly device: string }
  | { readonly kind: 'stdin' }
  | {
      readonly kind: 'synthetic';
      readonly synthetic: SyntheticKind;
      readonly frequencyHz?: number;
      /** Tone or noise level, or the noise floor for silence (dBFS). */
      readonly levelDbfs?: number;
    };

export interface MicSourceOptions {
  /** Files and synthetic audio as fast as the consumer pulls (default: real time). */
  readonly fast?: boolean;
  /** Channels of the array: alsa, stdin and synthetic (default 1); for WAV files, see WavSourceOptions. */
  readonly channels?: number;
  /** The clock real-time pacing follows (default SystemClock). */
  readonly clock?: Clock;
  readonly frameSamples?: number;
  /** Synthetic audio length in seconds (default endless). */
  readonly durationSeconds?: number;
  /** Environment for arecord (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** The stream `stdin` reads (default process.stdin). */
  readonly stdin?: Readable;
  readonly logger?: Logger;
}

export const MIC_SPEC_FORMS = [
  'wav:FILE[,FILE...]',
  'alsa[:DEVICE]  (e.g. alsa:plughw:CARD=seeed4micvoicec,DEV=0)',
  'stdin  (raw s16le 16 kHz PCM)',
  'synthetic:silence[:NOISE_FLOOR_DBFS]',
  'synthetic:tone[:HZ[:DBFS]]  (e.g. synthetic:tone:440)',
  'synthetic:noise[:DBFS]',
] as const;

function invalid(spec: string, why: string): EchosimError {
  return new EchosimError('MIC_SPEC_INVALID', `invalid microphone spec ${JSON.stringify(spec)}: ${why}`, {
    hint: `use one of: ${MIC_SPEC_FORMS.join(' | ')}`,
    details: { spec, accepted: [...MIC_SPEC_FORMS] },
  });
}

function number(spec: string, text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw invalid(spec, `${JSON.stringify(text)} is not a number (${what})`);
  return n;
}

/** Parses `wav:FILE[,FILE...] | alsa[:DEVICE] | stdin | synthetic:silence|tone[:HZ[:DBFS]]|noise`. */
export function parseMicSpec(spec: string): MicSpec {
  const colon = spec.indexOf(':');
  const head = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? undefined : spec.slice(colon + 1);
  switch (head) {
    case 'wav': {
      const files = (rest ?? '').split(',');
      if (rest === undefined || files.some((f) => f.trim() === '')) throw invalid(spec, 'wav needs one or more file names');
      return { kind: 'wav', files };
    }
    case 'alsa':
      if (rest === '') throw invalid(spec, 'alsa: needs a device name after the colon');
      return { kind: 'alsa', device: rest ?? 'default' };
    case 'stdin':
      if (rest !== undefined) throw invalid(spec, 'stdin takes no argument');
      return { kind: 'stdin' };
    case 'synthetic':
      return parseSynthetic(spec, rest);
    default:
      throw invalid(spec, `unknown source ${JSON.stringify(head)}`);
  }
}

function parseSynthetic(spec: string, rest: string | undefined): MicSpec {
  const [kind, ...args] = (rest ?? '').split(':');
  switch (kind) {
    case 'silence':
    case 'noise': {
      if (args.length > 1) throw invalid(spec, `synthetic:${kind} takes at most a level in dBFS`);
      const level = args[0] === undefined ? undefined : number(spec, args[0], 'a level in dBFS');
      if (level !== undefined && level > 0) throw invalid(spec, 'levels are at most 0 dBFS');
      return { kind: 'synthetic', synthetic: kind, ...(level === undefined ? {} : { levelDbfs: level }) };
    }
    case 'tone': {
      if (args.length > 2) throw invalid(spec, 'synthetic:tone takes at most HZ and DBFS');
      const hz = args[0] === undefined ? undefined : number(spec, args[0], 'a frequency in Hz');
      const level = args[1] === undefined ? undefined : number(spec, args[1], 'a level in dBFS');
      if (hz !== undefined && !(hz > 0 && hz < 8000)) throw invalid(spec, 'the tone must be between 0 and 8000 Hz');
      if (level !== undefined && level > 0) throw invalid(spec, 'levels are at most 0 dBFS');
      return {
        kind: 'synthetic',
        synthetic: 'tone',
        ...(hz === undefined ? {} : { frequencyHz: hz }),
        ...(level === undefined ? {} : { levelDbfs: level }),
      };
    }
    default:
      throw invalid(spec, 'synthetic needs silence, tone or noise');
  }
}

/** Parses a `--mic` value (or takes a parsed one) and opens the source. WAV headers are checked here. */
export function openMic(spec: string | MicSpec, options: MicSourceOptions = {}): MicSource {
  const s = typeof spec === 'string' ? parseMicSpec(spec) : spec;
  const { fast, channels, clock, frameSamples, logger } = options;
  switch (s.kind) {
    case 'wav':
      return new WavSource(s.files, { fast, channels, clock, frameSamples, logger });
    case 'alsa':
      return new AlsaSource({ device: s.device, channels, env: options.env, frameSamples, logger });
    case 'stdin':
      return new StdinSource({ input: options.stdin, channels, frameSamples, logger });
    case 'synthetic':
      return new SyntheticSource({
        kind: s.synthetic,
        frequencyHz: s.frequencyHz,
        ...(s.synthetic === 'silence' ? { noiseFloorDbfs: s.levelDbfs } : { levelDbfs: s.levelDbfs }),
        durationSeconds: options.durationSeconds,
        fast,
        channels,
        clock,
        frameSamples,
      });
  }
}
