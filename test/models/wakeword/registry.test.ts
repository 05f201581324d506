import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadManifest, resolveModelDir } from '../../../models/manifest.js';
import { defaultHeadsDir, readHeadDescriptions } from '../../../models/wakeword/head-description.js';
import { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { WakeWordRegistry } from '../../../models/wakeword/registry.js';
import { COMPUTER_AS_JARVIS, makeHeadsDir } from '../../support/test-heads.js';

const A4B_WORDS = ['ALEXA', 'AMAZON', 'ECHO', 'COMPUTER'];

describe('WakeWordRegistry: what ships', () => {
  const registry = WakeWordRegistry.load();

  test('ALEXA maps to a head, every bundled keyword is a word, and every covered WakeWord is an A4B one', () => {
    expect(registry.forWakeWord('ALEXA')?.keyword).toBe('alexa');
    expect(registry.wakeWords).toContain('ALEXA');
    for (const w of registry.wakeWords) expect(A4B_WORDS).toContain(w);
    for (const k of Object.keys(loadManifest().keywords)) expect(registry.has(k)).toBe(true);
    expect(registry.forWakeWord('HEY_YOU')).toBeUndefined();
  });

  // Every shipped head (the bundled ones and every trained word under models/wakeword/heads) loads,
  // passes its checksum, and runs through the engine's path: [1, 16, 96] embeddings in, one score out.
  test.each(registry.wakeWords)('the head for %s (and its verifier) loads and scores', async (wakeWord) => {
    const head = registry.forWakeWord(wakeWord)!;
    const verifier = registry.secondStage(head.keyword)?.verifier?.head;
    const models = await OpenWakeWordModels.load({ heads: [head, ...(verifier ? [verifier] : [])] });
    try {
      for (const h of models.heads) {
        expect(h.window).toBe(16);
        expect(h.defaultThreshold).toBeGreaterThan(0);
      }
    } finally {
      await models.dispose();
    }
  });

  test('the trained heads folder holds only valid descriptions, each beside its files and a model card', () => {
    for (const h of readHeadDescriptions()) {
      const dir = path.join(defaultHeadsDir(), h.description.word);
      expect(existsSync(h.file)).toBe(true);
      expect(existsSync(path.join(dir, 'MODEL_CARD.md'))).toBe(true);
      expect(A4B_WORDS).toContain(h.description.wakeWord);
    }
  });
});

describe('WakeWordRegistry: trained heads', () => {
  let heads: ReturnType<typeof makeHeadsDir>;
  afterEach(() => heads?.remove());

  test('a head description in the heads folder adds a word, its WakeWord and its second stage, with no code change', () => {
    heads = makeHeadsDir([
      { ...COMPUTER_AS_JARVIS, patience: 2, verifier: { from: 'alexa', high: 0.9, low: 0.3 }, keyphrase: { text: 'computer', kwsThreshold: 1e-20 } },
    ]);
    const registry = WakeWordRegistry.load({ headsDir: heads.dir });
    const head = registry.forWakeWord('COMPUTER')!;
    expect(head).toMatchObject({ keyword: 'computer', source: 'project', threshold: 0.5, patience: 2, wakeWord: 'COMPUTER' });
    expect(head.file).toBe(path.join(heads.dir, 'computer', 'computer.onnx'));
    expect(registry.head('computer')).toEqual(head);
    expect(registry.wakeWords).toEqual(['ALEXA', 'COMPUTER']);
    expect(registry.secondStage('computer')).toEqual({
      verifier: { head: expect.objectContaining({ keyword: 'computer-verifier', file: path.join(heads.dir, 'computer', 'computer-verifier.onnx') }), high: 0.9, low: 0.3, patience: 1 },
      keyphrase: { text: 'computer', kwsThreshold: 1e-20 },
    });
    expect(registry.secondStage('alexa')).toBeUndefined();
  });

  test('the bundled alexa stays the default while the manifest names ALEXA; without that, the trained one is', () => {
    heads = makeHeadsDir([{ word: 'alexa', wakeWord: 'ALEXA', from: 'hey_mycroft', threshold: 0.6, verifier: { from: 'alexa', high: 0.8, low: 0.2 } }]);
    const withClaim = WakeWordRegistry.load({ headsDir: heads.dir });
    expect(withClaim.head('alexa').source).toBe('bundled');
    expect(withClaim.forWakeWord('ALEXA')?.source).toBe('bundled');
    // The trained verifier still verifies the word, whichever head spots it.
    expect(withClaim.secondStage('alexa')?.verifier?.high).toBe(0.8);
    const trained = path.join(heads.dir, 'alexa', 'alexa.onnx');
    expect(withClaim.fileHead(trained)).toMatchObject({ keyword: 'alexa', source: 'project', threshold: 0.6 });

    const manifest = loadManifest();
    const { wakeWord: _claim, ...alexa } = manifest.keywords.alexa!;
    const unclaimed = WakeWordRegistry.load({ headsDir: heads.dir, manifest: { ...manifest, keywords: { ...manifest.keywords, alexa } } });
    expect(unclaimed.forWakeWord('ALEXA')).toMatchObject({ keyword: 'alexa', source: 'project', threshold: 0.6 });
  });

  test('--model FILE: a bundled file is its registry head; any other file is a custom head named after it', () => {
    heads = makeHeadsDir([COMPUTER_AS_JARVIS]);
    const registry = WakeWordRegistry.load({ headsDir: heads.dir });
    const manifest = loadManifest();
    const bundled = path.join(resolveModelDir(manifest), manifest.keywords.hey_jarvis!.file);
    expect(registry.fileHead(bundled)).toEqual(registry.head('hey_jarvis'));
    expect(registry.fileHead(bundled, 0.7).threshold).toBe(0.7);
    const own = path.join(heads.dir, 'My Word.onnx');
    writeFileSync(own, readFileSync(bundled));
    expect(registry.fileHead(own, 0.4)).toEqual({ keyword: 'my_word', source: 'custom', file: own, threshold: 0.4 });
    expect(() => registry.fileHead(path.join(heads.dir, 'nothing.onnx'))).toThrow(expect.objectContaining({ code: 'MODEL_FILE_MISSING' }));
  });

  test('--model FILE with a description beside it (as train wakeword --out writes): its threshold, patience and sha256 apply; a bad one is refused', () => {
    heads = makeHeadsDir([COMPUTER_AS_JARVIS]);
    const registry = WakeWordRegistry.load({ headsDir: heads.dir });
    const manifest = loadManifest();
    const bundled = path.join(resolveModelDir(manifest), manifest.keywords.hey_jarvis!.file);
    const own = path.join(heads.dir, 'mine.onnx');
    writeFileSync(own, readFileSync(bundled));
    const sha256 = manifest.keywords.hey_jarvis!.sha256;
    writeFileSync(path.join(heads.dir, 'mine.json'), JSON.stringify({ word: 'mine', threshold: 0.83, patience: 2, files: { 'mine.onnx': sha256 } }));
    expect(registry.fileHead(own)).toEqual({ keyword: 'mine', source: 'custom', file: own, threshold: 0.83, patience: 2, sha256 });
    expect(registry.fileHead(own, 0.4).threshold).toBe(0.4);
    writeFileSync(path.join(heads.dir, 'mine.json'), JSON.stringify({ word: 'mine', threshold: 1.5, files: {} }));
    expect(() => registry.fileHead(own)).toThrow(expect.objectContaining({ code: 'MODEL_MANIFEST_INVALID' }));
    writeFileSync(path.join(heads.dir, 'mine.json'), '{ not json');
    expect(() => registry.fileHead(own)).toThrow(expect.objectContaining({ code: 'MODEL_MANIFEST_INVALID' }));
  });

  test('an unknown word is MODEL_UNKNOWN naming the known ones and --model', () => {
    expect(() => WakeWordRegistry.load().head('jarvis')).toThrow(expect.objectContaining({ code: 'MODEL_UNKNOWN', hint: expect.stringMatching(/hey_jarvis.*--model/) }));
  });

  test.each([
    ['its word is not its folder', (d: Record<string, unknown>) => ({ ...d, word: 'other' }), /not its folder's name/],
    ['files lacks the head', (d: Record<string, unknown>) => ({ ...d, files: {} }), /files must list computer\.onnx/],
    ['a verifier without its file', (d: Record<string, unknown>) => ({ ...d, verifier: { high: 0.9, low: 0.5 } }), /computer-verifier\.onnx/],
    ['low above high', (d: Record<string, unknown>) => ({ ...d, verifier: { high: 0.5, low: 0.9 } }), /low must not be above high/],
    ['a threshold of 1', (d: Record<string, unknown>) => ({ ...d, threshold: 1 }), /threshold/],
    ['a keyphrase of symbols', (d: Record<string, unknown>) => ({ ...d, keyphrase: { text: 'hey; rm', kwsThreshold: 1e-20 } }), /keyphrase/],
  ])('an invalid description (%s) is MODEL_MANIFEST_INVALID naming the file', (_what, change, message) => {
    heads = makeHeadsDir([COMPUTER_AS_JARVIS]);
    const file = path.join(heads.dir, 'computer', 'computer.json');
    writeFileSync(file, JSON.stringify(change(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)));
    expect(() => WakeWordRegistry.load({ headsDir: heads.dir })).toThrow(
      expect.objectContaining({ code: 'MODEL_MANIFEST_INVALID', message: expect.stringMatching(message) }),
    );
  });

  test('two words claiming one WakeWord are refused; a folder without a description is not a head', () => {
    heads = makeHeadsDir([COMPUTER_AS_JARVIS, { word: 'hey_computer', wakeWord: 'COMPUTER', from: 'hey_mycroft' }]);
    expect(() => WakeWordRegistry.load({ headsDir: heads.dir })).toThrow(expect.objectContaining({ code: 'MODEL_MANIFEST_INVALID', message: expect.stringMatching(/COMPUTER is claimed by two/) }));
    heads.remove();
    heads = makeHeadsDir([COMPUTER_AS_JARVIS]);
    mkdirSync(path.join(heads.dir, 'notes'));
    expect(WakeWordRegistry.load({ headsDir: heads.dir }).keywords).toContain('computer');
  });

  test('a trained head whose file was changed fails its checksum when loaded', async () => {
    heads = makeHeadsDir([COMPUTER_AS_JARVIS]);
    writeFileSync(path.join(heads.dir, 'computer', 'computer.onnx'), 'not a model');
    const head = WakeWordRegistry.load({ headsDir: heads.dir }).head('computer');
    await expect(OpenWakeWordModels.load({ heads: [head] })).rejects.toMatchObject({ code: 'MODEL_CHECKSUM_MISMATCH', message: expect.stringContaining('computer.onnx') });
  });
});
