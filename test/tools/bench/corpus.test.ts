/**
 * A bench corpus made of symbolic links (to files and to folders, as corpora often are: links into
 * a larger data set) is read like a plain one; loops and duplicates do not repeat files.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listWavs, loadCorpus } from '../../../tools/bench/corpus.js';
import { runCli } from '../run-cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-corpus-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const touch = (p: string): void => {
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, 'RIFF');
};

describe('listWavs with symbolic links', () => {
  test('follows links to files and folders, walks a folder once however it is reached, and survives a loop', () => {
    const data = path.join(dir, 'data');
    touch(path.join(data, 'alexa-1.wav'));
    touch(path.join(data, 'speakers', 'alexa-2.WAV'));
    touch(path.join(data, 'speakers', 'notes.txt'));
    const pos = path.join(dir, 'pos');
    mkdirSync(pos);
    symlinkSync(path.join(data, 'alexa-1.wav'), path.join(pos, 'a.wav'));
    symlinkSync(path.join(data, 'alexa-1.wav'), path.join(pos, 'same-again.wav')); // the same file twice
    symlinkSync(path.join(data, 'speakers'), path.join(pos, 'speakers'));
    symlinkSync('..', path.join(data, 'speakers', 'loop')); // speakers/loop -> data, which holds speakers again
    symlinkSync(path.join(dir, 'missing'), path.join(pos, 'gone')); // a broken link that is no .wav is ignored
    expect(listWavs(pos)).toEqual([path.join(pos, 'a.wav'), path.join(pos, 'speakers', 'alexa-2.WAV')]);
    // a corpus folder that is itself a link
    symlinkSync(pos, path.join(dir, 'pos-link'));
    expect(listWavs(path.join(dir, 'pos-link'))).toHaveLength(2);
  });

  test('labels name the links; a broken link to a .wav is an error that names it', () => {
    const data = path.join(dir, 'data');
    touch(path.join(data, 'x.wav'));
    const pos = path.join(dir, 'pos');
    const neg = path.join(dir, 'neg');
    mkdirSync(pos);
    symlinkSync(data, neg);
    symlinkSync(path.join(data, 'x.wav'), path.join(pos, 'one.wav'));
    writeFileSync(path.join(pos, 'labels.tsv'), 'file\tstart_s\tend_s\ttext\none.wav\t0.5\t1.2\talexa\n');
    const corpus = loadCorpus(pos, neg);
    expect(corpus.positives).toEqual([path.join(pos, 'one.wav')]);
    expect(corpus.negatives).toEqual([path.join(neg, 'x.wav')]);
    expect(corpus.labels.get(path.join(pos, 'one.wav'))).toEqual({ startS: 0.5, endS: 1.2, text: 'alexa' });
    symlinkSync(path.join(dir, 'nowhere.wav'), path.join(pos, 'two.wav'));
    expect(() => listWavs(pos)).toThrow(expect.objectContaining({ code: 'BENCH_CORPUS_INVALID', message: expect.stringContaining('two.wav is a symbolic link to nothing') }));
  });
});

test('echosim bench wakeword measures a corpus made of links (built CLI)', async () => {
  const pos = path.join(dir, 'pos');
  const neg = path.join(dir, 'neg');
  mkdirSync(pos);
  mkdirSync(neg);
  symlinkSync(path.resolve('test/fixtures/demo/alexa-demo.wav'), path.join(pos, 'demo.wav'));
  symlinkSync(path.resolve('test/fixtures/wakeword/neg/n01-alex-flite-slt-clean.wav'), path.join(neg, 'alex.wav'));
  const r = await runCli(['bench', 'wakeword', '--pos', pos, '--neg', neg, '--json', '--no-progress']);
  expect(r.code).toBe(0);
  expect(r.lines[0]).toMatchObject({ positives: 1, detected: 1, recall: 1 });
  expect(r.lines[0]!.neg_hours).toBeGreaterThan(0);
}, 120_000);
