import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildTrainSets, wordChunks } from '../../../tools/train/data/examples.js';
import { planClips } from '../../../tools/train/data/plan.js';
import type { ClipFeatures } from '../../../tools/train/data/synthetic.js';
import type { RealStream } from '../../../tools/train/real/real-features.js';
import { DEBIAN_SOURCES } from '../../../tools/train/real/debian-sources.js';
import { capSource, debianSource, directorySources, type RealSource } from '../../../tools/train/real/sources.js';
import { discoverVoices, HELD_OUT } from '../../../tools/train/tts/voices.js';

const speakers = (voices: { engine: string; name: string }[]): Set<string> => new Set(voices.map((v) => `${v.engine}:${v.name}`));

describe('training and validation never share a voice or a real source', () => {
  test('held-out voices are whole voices and accents, and the plan keeps each split to its own', () => {
    const { voices } = discoverVoices();
    const train = voices.filter((v) => v.split === 'train');
    const val = voices.filter((v) => v.split === 'val');
    expect(train.length).toBeGreaterThan(0);
    expect(val.length).toBeGreaterThan(0);
    expect([...speakers(train)].filter((s) => speakers(val).has(s))).toEqual([]);
    expect(train.some((v) => v.speaker === HELD_OUT.espeakAccent)).toBe(false);
    const plan = planClips({ word: 'echo', voices, nearMisses: ['gecko'], seed: 1, scale: 0.02 });
    const used = (split: 'train' | 'val') =>
      speakers(plan.recipes.filter((r) => r.split === split).flatMap((r) => [r.speech, r.before, r.after].flatMap((s) => (s ? [s.voice] : []))));
    for (const s of used('train')) expect(speakers(train).has(s)).toBe(true);
    for (const s of used('val')) expect(speakers(val).has(s)).toBe(true);
    for (const split of ['train', 'val'] as const) for (const r of plan.babble[split]) expect(r.voice.split).toBe(split);
  });

  test('Debian sources are split by source, both ways, each named once', () => {
    const names = DEBIAN_SOURCES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(DEBIAN_SOURCES.some((s) => s.split === 'train')).toBe(true);
    expect(DEBIAN_SOURCES.some((s) => s.split === 'val' && s.language.startsWith('English'))).toBe(true);
    // One package's audio (its first package) never feeds both splits.
    const byPackage = new Map<string, Set<string>>();
    for (const s of DEBIAN_SOURCES) byPackage.set(s.packages[0]!, new Set([...(byPackage.get(s.packages[0]!) ?? []), s.split]));
    for (const splits of byPackage.values()) expect(splits.size).toBe(1);
  });

  test("each Debian source finds its audio where dpkg -x unpacks it, and leaves out what it excludes", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-debian-'));
    const layout: Record<string, string[]> = {
      'tuxpaint-descriptions': ['usr/share/tuxpaint/stamps/animals/cat_desc_fr.ogg'],
      klettres: ['usr/share/klettres/fr/alpha/a.ogg'],
      ktuberling: ['usr/share/ktuberling/sounds/de/eye.ogg'],
      'fillets-cs': ['usr/share/games/fillets-ng/sound/computer/cs/poc-m-myslis.ogg'],
      hedgewars: ['usr/share/games/hedgewars/Data/Sounds/voices/Classic/Amazing.ogg'],
      'asterisk-en': ['usr/share/asterisk/sounds/en/demo-echotest.wav', 'usr/share/asterisk/sounds/en/phonetic/e_p.wav'],
      'asterisk-fr': ['usr/share/asterisk/sounds/fr/vm-intro.wav'],
      'asterisk-es': ['usr/share/asterisk/sounds/es/vm-intro.wav'],
      'fillets-en': ['usr/share/games/fillets-ng/sound/computer/en/poc-m-myslis.ogg'],
      'fillets-nl': ['usr/share/games/fillets-ng/sound/computer/nl/poc-m-myslis.ogg'],
      warzone2100: ['audio/tutorial/tut1.ogg'],
    };
    try {
      for (const source of DEBIAN_SOURCES) {
        const root = path.join(dir, source.name);
        for (const f of [...(layout[source.name] ?? []), 'usr/share/doc/readme.txt', 'usr/share/asterisk/sounds/en/silence/1.wav']) {
          mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
          writeFileSync(path.join(root, f), 'x');
        }
        const found = debianSource({ source, roots: [root], debs: [`${source.packages[0]!}_1_all.deb`] });
        expect([source.name, found.clips.map((c) => path.relative(root, c.file))]).toEqual([source.name, layout[source.name]]);
        if (source.name === 'asterisk-en') expect(found.clips.map((c) => c.transcript)).toEqual(['demo echotest', 'echo']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a capped source keeps a fixed sample of its clips, in order, under another fingerprint', () => {
    const source: RealSource = {
      name: 'big', split: 'train', origin: 'debian', language: 'English', licence: 'GPL-2', speakers: '1', fingerprint: 'f',
      clips: Array.from({ length: 10 }, (_, i) => ({ file: `/a/${i}.wav`, transcript: `clip ${i}` })),
    };
    const capped = capSource(source, 4);
    expect(capped.clips).toHaveLength(4);
    const order = capped.clips.map((c) => Number(/(\d+)\.wav$/.exec(c.file)![1]));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(capSource(source, 4)).toEqual(capped);
    expect(capped.fingerprint).not.toBe(source.fingerprint);
    expect(capSource(source, 10)).toBe(source);
    // Clips that say a shipped word are kept besides the sample of the others.
    const withWord = capSource(source, 4, (c) => c.transcript === 'clip 7');
    expect(withWord.clips.map((c) => c.transcript)).toContain('clip 7');
    expect(withWord.clips).toHaveLength(5);
  });

  test('folders given as real negatives are split by subfolder, validation first', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-split-'));
    try {
      for (const sub of ['c', 'a', 'b']) {
        mkdirSync(path.join(dir, sub));
        for (let i = 0; i < 3; i++) writeFileSync(path.join(dir, sub, `${i}.wav`), `${sub}${i}`);
      }
      const sources = directorySources([dir]);
      const base = path.basename(dir);
      expect(sources.map((s) => [s.name, s.split])).toEqual([[`${base}/a`, 'val'], [`${base}/b`, 'train'], [`${base}/c`, 'val']]);
      const files = sources.flatMap((s) => s.clips.map((c) => c.file));
      expect(new Set(files).size).toBe(9);
      expect(() => directorySources([path.join(dir, 'missing')])).toThrow(/not a folder/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('training windows come from training clips and sources only, never from clips that say the word', () => {
    const { voices } = discoverVoices();
    const plan = planClips({ word: 'echo', voices, nearMisses: ['gecko'], seed: 1, scale: 0.003 });
    const clip: ClipFeatures = { embeddings: new Float32Array(40 * 96), cloud: new Float32Array(30 * 96), samples: 40 * 1280, cloudStart: 0, wordStart: 20000, wordEnd: 30000 };
    const clips = plan.recipes.map(() => clip);
    const source: RealSource = {
      name: 'phonetic',
      split: 'train',
      origin: 'directory',
      language: 'en',
      licence: 'test',
      speakers: '1',
      fingerprint: 'x',
      clips: [{ file: 'a', transcript: 'alfa' }, { file: 'e', transcript: 'echo' }, { file: 'g', transcript: 'golf' }],
    };
    const stream: RealStream = {
      source,
      embeddings: new Float32Array(300 * 96),
      samples: 300 * 1280,
      pieces: [{ clip: 0, start: 0, end: 100 * 1280 }, { clip: 1, start: 100 * 1280, end: 150 * 1280 }, { clip: 2, start: 150 * 1280, end: 300 * 1280 }],
    };
    const banned = wordChunks(stream, 'echo');
    expect(banned.has(99)).toBe(false);
    expect(banned.has(100)).toBe(true);
    expect(banned.has(150 + 20)).toBe(true); // the window still holds the word 2.1 s after it
    expect(banned.has(150 + 30)).toBe(false);
    const sets = buildTrainSets('echo', new Float32Array(16 * 96), plan.recipes, clips, [stream], [[]]);
    const trainClips = plan.recipes.filter((r) => r.split === 'train').length;
    const seqs = new Set([...sets.stage1.examples, ...sets.cloud.examples].map((e) => e.seq));
    expect(Math.max(...seqs)).toBe(2 * trainClips); // two views of each training clip, then the stream
    expect(sets.stage1.examples.filter((e) => e.cls === 'real' && banned.has(e.t))).toEqual([]);
    expect(sets.stage1.examples.filter((e) => e.cls === 'positive').length).toBeGreaterThan(0);
  });
});
