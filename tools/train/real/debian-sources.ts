import type { Split } from '../tts/voices.js';

/**
 * Real recorded speech in Debian main, fetched at run time with `apt-get download` into the cache
 * (never committed). Each source is one recording campaign (its speakers, microphones, language);
 * sources, never clips, are split between training and validation, so validation measures speakers
 * and rooms the head never heard. Training takes the non-English sets and the English game
 * exclamations; validation keeps most English speech (what the check holds) and two
 * non-English sets.
 */
export interface DebianSource {
  readonly name: string;
  /** Packages to fetch; the first holds the audio, the others what the transcripts need. */
  readonly packages: readonly string[];
  /** Audio files, as paths relative to the extracted packages' root. */
  readonly include: RegExp;
  readonly exclude?: RegExp;
  /** A zip inside the package that holds the audio (warzone2100's base.wz), unpacked with unzip. */
  readonly zip?: string;
  readonly language: string;
  readonly licence: string;
  readonly speakers: string;
  readonly split: Split;
  /** How a clip's transcript is known: fillets-ng's dialogue scripts, or the file's name. */
  readonly transcripts: 'fillets-dialogues' | 'file-name' | 'asterisk';
}

export const DEBIAN_SOURCES: readonly DebianSource[] = [
  {
    name: 'tuxpaint-descriptions',
    packages: ['tuxpaint-stamps-default'],
    include: /\/usr\/share\/tuxpaint\/stamps\/.*_desc_[a-zA-Z_@]+\.ogg$/,
    language: 'about 30 languages',
    licence: 'GPL-2',
    speakers: 'many volunteers',
    split: 'train',
    transcripts: 'file-name',
  },
  {
    name: 'klettres',
    packages: ['klettres-data'],
    include: /\/usr\/share\/klettres\/.*\.(ogg|wav)$/,
    language: 'about 20 languages (letters and syllables)',
    licence: 'GPL-2+',
    speakers: 'several',
    split: 'train',
    transcripts: 'file-name',
  },
  {
    name: 'ktuberling',
    packages: ['ktuberling-data'],
    include: /\/usr\/share\/ktuberling\/sounds\/[^/]+\/[^/]+\.(ogg|wav)$/,
    language: 'about 25 languages (object words)',
    licence: 'GPL-2+ / CC0 / CC-BY',
    speakers: 'about 25',
    split: 'train',
    transcripts: 'file-name',
  },
  {
    name: 'fillets-cs',
    packages: ['fillets-ng-data-cs', 'fillets-ng-data'],
    include: /\/usr\/share\/games\/fillets-ng\/sound\/[^/]+\/cs\/[^/]+\.ogg$/,
    language: 'Czech',
    licence: 'GPL-2+',
    speakers: 'voice actors',
    split: 'train',
    transcripts: 'fillets-dialogues',
  },
  {
    name: 'hedgewars',
    packages: ['hedgewars-data'],
    include: /\/Sounds\/voices\/[^/]+\/[^/]+\.ogg$/,
    language: 'English (and a few others): game exclamations',
    licence: 'GPL-2',
    speakers: 'about 15 voice packs',
    split: 'train',
    transcripts: 'file-name',
  },
  {
    name: 'asterisk-en',
    packages: ['asterisk-core-sounds-en-wav'],
    include: /\/usr\/share\/asterisk\/sounds\/.*\.wav$/,
    exclude: /\/silence\//,
    language: 'English (US), 8 kHz telephone prompts',
    licence: 'CC-BY-SA-3.0',
    speakers: '1 (Allison Smith)',
    split: 'val',
    transcripts: 'asterisk',
  },
  {
    name: 'asterisk-fr',
    packages: ['asterisk-core-sounds-fr-wav'],
    include: /\/usr\/share\/asterisk\/sounds\/.*\.wav$/,
    exclude: /\/silence\//,
    language: 'French (Canada), 8 kHz telephone prompts',
    licence: 'CC-BY-SA-3.0',
    speakers: '1 (June Wallack)',
    split: 'val',
    transcripts: 'asterisk',
  },
  {
    name: 'asterisk-es',
    packages: ['asterisk-core-sounds-es-wav'],
    include: /\/usr\/share\/asterisk\/sounds\/.*\.wav$/,
    exclude: /\/silence\//,
    language: 'Spanish (Mexico), 8 kHz telephone prompts',
    licence: 'CC-BY-SA-3.0',
    speakers: '1',
    split: 'val',
    transcripts: 'asterisk',
  },
  {
    name: 'fillets-en',
    packages: ['fillets-ng-data'],
    include: /\/usr\/share\/games\/fillets-ng\/sound\/[^/]+\/en\/[^/]+\.ogg$/,
    language: 'English',
    licence: 'GPL-2+',
    speakers: 'a few voice actors',
    split: 'val',
    transcripts: 'fillets-dialogues',
  },
  {
    name: 'fillets-nl',
    packages: ['fillets-ng-data-nl', 'fillets-ng-data'],
    include: /\/usr\/share\/games\/fillets-ng\/sound\/[^/]+\/nl\/[^/]+\.ogg$/,
    language: 'Dutch',
    licence: 'GPL-2+',
    speakers: 'voice actors',
    split: 'val',
    transcripts: 'fillets-dialogues',
  },
  {
    name: 'warzone2100',
    packages: ['warzone2100-data'],
    zip: 'usr/share/games/warzone2100/base.wz',
    include: /\/audio\/(tutorial|extra|memressp|vtoltalk|countdown|taunts)\/.*\.ogg$/,
    language: 'English: tutorial narration, mission and unit messages',
    licence: 'GPL-2+ / CC-BY-SA-3.0',
    speakers: 'a few',
    split: 'val',
    transcripts: 'file-name',
  },
];

/** asterisk's phonetic alphabet prompts (`phonetic/e_p.wav` says "echo"). */
export const NATO_ALPHABET: Readonly<Record<string, string>> = {
  a: 'alfa', b: 'bravo', c: 'charlie', d: 'delta', e: 'echo', f: 'foxtrot', g: 'golf', h: 'hotel', i: 'india', j: 'juliett', k: 'kilo', l: 'lima', m: 'mike',
  n: 'november', o: 'oscar', p: 'papa', q: 'quebec', r: 'romeo', s: 'sierra', t: 'tango', u: 'uniform', v: 'victor', w: 'whiskey', x: 'x-ray', y: 'yankee', z: 'zulu',
};
