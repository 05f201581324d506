import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export type TtsEngineName = 'espeak-ng' | 'flite' | 'festival';
export type Split = 'train' | 'val';

/** One voice of one engine. `speaker` groups what must be held out together. */
export interface Voice {
  readonly engine: TtsEngineName;
  /** The engine's name for it: `en-us+f3` (espeak-ng accent+variant), `slt` (flite), `cmu_us_slt_arctic_hts` (festival). */
  readonly name: string;
  /** The accent (espeak-ng) or recorded speaker (flite, festival): held out of training as a whole. */
  readonly speaker: string;
  readonly split: Split;
}

/** espeak-ng's English accents (its `--voices=en` list without the mbrola ones, which Debian main lacks). */
export const ESPEAK_ACCENTS: readonly string[] = ['en-us', 'en-gb', 'en-gb-scotland', 'en-gb-x-gbclan', 'en-gb-x-rp', 'en-gb-x-gbcwmd', 'en-029', 'en-us-nyc'];
/** flite's voices, without the limited-domain `awb_time` (it only says times). */
export const FLITE_VOICES: readonly string[] = ['kal', 'kal16', 'awb', 'rms', 'slt'];
/** festival's English voices in Debian main: festvox-kallpc16k, festvox-kdlpc16k, festvox-us-slt-hts. */
export const FESTIVAL_VOICES: readonly string[] = ['kal_diphone', 'ked_diphone', 'cmu_us_slt_arctic_hts'];
export const FESTIVAL_VOICE_DIRS = ['/usr/share/festival/voices/english', '/usr/share/festival/voices/us'];

/**
 * What validation holds out of training, whole: the West Midlands espeak-ng accent with all its
 * variants, one variant in seven across the other accents, flite's rms (a US male speaker no other
 * engine has) and festival's ked (likewise). kal and slt exist in both flite and festival, so
 * neither is held out: one engine's copy would leak the other's.
 */
export const HELD_OUT = {
  espeakAccent: 'en-gb-x-gbcwmd',
  espeakVariantEvery: 7,
  flite: 'rms',
  festival: 'ked_diphone',
} as const;

/** The engines and English voices installed on this machine, each assigned to training or validation. */
export interface VoiceCatalog {
  readonly voices: readonly Voice[];
  /** Engine versions (they change the audio, so they key the feature cache). */
  readonly versions: Readonly<Partial<Record<TtsEngineName, string>>>;
  /** Engines that are missing, with what to install. */
  readonly missing: readonly string[];
}

export function discoverVoices(): VoiceCatalog {
  const voices: Voice[] = [];
  const versions: Partial<Record<TtsEngineName, string>> = {};
  const missing: string[] = [];
  const espeak = run('espeak-ng', ['--version']);
  if (espeak !== undefined) {
    versions['espeak-ng'] = espeak.trim().split('\n')[0] ?? '';
    const installed = new Set((run('espeak-ng', ['--voices=en']) ?? '').split('\n').map((l) => l.trim().split(/\s+/)[1]));
    const variants = espeakVariants();
    for (const accent of ESPEAK_ACCENTS.filter((a) => installed.has(a))) {
      variants.forEach((variant, i) => {
        const heldOut = accent === HELD_OUT.espeakAccent || i % HELD_OUT.espeakVariantEvery === 3;
        voices.push({ engine: 'espeak-ng', name: variant ? `${accent}+${variant}` : accent, speaker: accent, split: heldOut ? 'val' : 'train' });
      });
    }
  } else missing.push('espeak-ng');
  const flite = run('flite', ['-lv']);
  if (flite !== undefined) {
    versions.flite = (run('flite', ['--version']) ?? '').split('\n').find((l) => l.includes('version'))?.trim() ?? 'unknown';
    const listed = new Set(flite.replace('Voices available:', '').trim().split(/\s+/));
    for (const name of FLITE_VOICES.filter((v) => listed.has(v))) {
      voices.push({ engine: 'flite', name, speaker: name === 'kal16' ? 'kal' : name, split: name === HELD_OUT.flite ? 'val' : 'train' });
    }
  } else missing.push('flite');
  const festival = run('festival', ['--version']);
  if (festival !== undefined) {
    versions.festival = festival.trim();
    const present = new Set(FESTIVAL_VOICE_DIRS.filter((d) => existsSync(d)).flatMap((d) => readdirSync(d)));
    for (const name of FESTIVAL_VOICES.filter((v) => present.has(v))) {
      voices.push({ engine: 'festival', name, speaker: name.replace(/_diphone$|^cmu_us_|_arctic_hts$/g, ''), split: name === HELD_OUT.festival ? 'val' : 'train' });
    }
    if (!FESTIVAL_VOICES.every((v) => present.has(v))) missing.push('festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts (some festival voices)');
  } else missing.push('festival');
  return { voices, versions, missing };
}

/** espeak-ng's voice variants (`+f3`, `+klatt`, ...), sorted; '' stands for the accent's own voice. */
function espeakVariants(): string[] {
  const lines = (run('espeak-ng', ['--voices=variant']) ?? '').trim().split('\n').slice(1);
  const names = lines.map((l) => path.basename(l.trim().split(/\s+/)[4] ?? '')).filter((n) => n.length > 0);
  return ['', ...[...new Set(names)].sort()];
}

function run(cmd: string, args: readonly string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error || r.status !== 0 ? undefined : r.stdout;
}
