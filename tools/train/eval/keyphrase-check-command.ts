import { EchosimError } from '../../../core/errors.js';
import { gatherRealSources } from '../real/gather.js';
import { PronouncingDictionary } from '../text/cmudict.js';
import { normalizeWord } from '../text/word-match.js';
import { keyphraseOnReal, type KeyphraseRealResult } from './keyphrase-real.js';
import { pocketsphinxAvailable } from './pocketsphinx.js';

export interface KeyphraseCheckOptions {
  readonly word: string;
  readonly cache: string;
  readonly realNegatives: readonly string[];
  readonly debianSpeech: boolean;
  readonly perSource: number;
  readonly json: boolean;
}

/** The wider ladder the check is measured on (the training run tries four of these). */
export const CHECK_LADDER: readonly number[] = [1e-5, 1e-10, 1e-20, 1e-30, 1e-40];

/** Runs `train keyphrase-check` and returns what it prints: a Markdown table, or JSON. */
export async function keyphraseCheckReport(options: KeyphraseCheckOptions, log: (line: string) => void): Promise<string> {
  if (!pocketsphinxAvailable()) throw new EchosimError('TRAIN_TOOL_MISSING', 'pocketsphinx and its US English model are not installed', { hint: 'install pocketsphinx and pocketsphinx-en-us (bash tools/setup.sh does)' });
  const word = normalizeWord(options.word);
  const { sources, lacks } = gatherRealSources(options.realNegatives, options.debianSpeech, options.cache, log);
  for (const l of lacks) log(`missing: ${l}`);
  const result = await keyphraseOnReal(sources, word, CHECK_LADDER, PronouncingDictionary.load(), options.perSource, (name) => log(`keyphrase check: ${name}`));
  return options.json ? `${JSON.stringify(result)}\n` : markdown(result);
}

function markdown(r: KeyphraseRealResult): string {
  const head = r.ladder.map((t) => t.toExponential(0));
  const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [
    `pocketsphinx keyphrase "${r.word}" alone, one utterance per clip`,
    '',
    row(['source', 'split', 'clips saying it', ...head.map((h) => `found at ${h}`), 'other clips', 'hours', ...head.map((h) => `FA at ${h}`)]),
    row(Array.from({ length: 5 + 2 * head.length }, () => '---')),
    ...r.sources.map((s) => row([s.name, s.split, s.wordClips, ...s.wordFound, s.negativeClips, s.negativeHours.toFixed(3), ...s.falseAccepts])),
    row(['**all**', '', '', ...r.recall.map((x) => `${(x * 100).toFixed(0)} %`), '', '', ...r.falseAcceptsPerHour.map((x) => `${x}/h`)]),
    '',
  ].join('\n');
}
