import { INTENT_NAMES, type IntentName } from '../../protocol/intent.js';
import { slotName, toJsgf, toRegexSource, vocabulary } from './grammar-expr.js';
import { HELPER_RULES, INTENT_RULES } from './command-rules.js';

/** The 39 phones of the CMU dictionary: the filler ("garbage") loop is made of them. */
export const CMU_PHONES = [
  'AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'B', 'CH', 'D', 'DH', 'EH', 'ER', 'EY', 'F', 'G', 'HH', 'IH', 'IY', 'JH', 'K',
  'L', 'M', 'N', 'NG', 'OW', 'OY', 'P', 'R', 'S', 'SH', 'T', 'TH', 'UH', 'UW', 'V', 'W', 'Y', 'Z', 'ZH',
] as const;
/** Filler words are named `phone_<phone>`; a hypothesis with one is speech outside the grammar. */
export const FILLER_PREFIX = 'phone_';

export interface CommandGrammar {
  /** The JSGF text of the commands for pocketsphinx (`-jsgf`): an optional wake word, then one command. */
  readonly jsgf: string;
  /**
   * The JSGF text of the filler: any run of phones. Its best path is what the audio sounds like with
   * no grammar at all; how much worse the commands explain the same audio is the recognizer's
   * confidence (a likelihood ratio per frame), which turns speech outside the grammar into a no-match.
   * (This pocketsphinx ignores JSGF alternative weights, so the filler cannot share one grammar.)
   */
  readonly fillerJsgf: string;
  /** Every word of the command grammar, for the dictionary. */
  readonly words: readonly string[];
  /** Dictionary lines for the filler words (`phone_aa AA`). */
  readonly fillerDictionary: readonly string[];
  /** The intent a hypothesis expresses, with its raw slot words; undefined: a no-match. */
  match(hypothesis: string): { intent: IntentName; slotWords: Record<string, string> } | undefined;
}

/** Builds the grammar of every command (command-rules.ts) and the filler beside it. */
export function commandGrammar(): CommandGrammar {
  for (const r of INTENT_RULES) if (!(INTENT_NAMES as readonly string[]).includes(r.name)) throw new Error(`intent ${r.name} is not in the protocol's INTENT_NAMES`);
  const fillerWords = CMU_PHONES.map((p) => `${FILLER_PREFIX}${p.toLowerCase()}`);
  const lines = ['#JSGF V1.0;', 'grammar commands;', ''];
  for (const [name, body] of HELPER_RULES) lines.push(`<${name}> = ${toJsgf(body)};`);
  for (const r of INTENT_RULES) lines.push(`<${r.name}> = ${toJsgf(r.body)};`);
  lines.push(`<command> = ${INTENT_RULES.map((r) => `<${r.name}>`).join(' | ')};`);
  lines.push('public <utterance> = [alexa] <command>;');

  const matchers = INTENT_RULES.map((r) => ({ intent: r.name as IntentName, re: new RegExp(`^(?:alexa )?${toRegexSource(r.body, HELPER_RULES)}$`) }));
  const vocab = new Set<string>(['alexa']);
  for (const r of INTENT_RULES) vocabulary(r.body, HELPER_RULES, vocab);
  return {
    jsgf: `${lines.join('\n')}\n`,
    fillerJsgf: `#JSGF V1.0;\ngrammar filler;\npublic <filler> = (${fillerWords.join(' | ')})+;\n`,
    words: [...vocab],
    fillerDictionary: CMU_PHONES.map((p) => `${FILLER_PREFIX}${p.toLowerCase()} ${p}`),
    match(hypothesis) {
      const text = `${hypothesis.trim().toLowerCase().split(/\s+/).join(' ')} `;
      if (text.trim() === '') return undefined;
      for (const m of matchers) {
        const found = m.re.exec(text);
        if (found) {
          const slotWords: Record<string, string> = {};
          for (const [k, v] of Object.entries(found.groups ?? {})) if (v !== undefined) slotWords[slotName(k)] = v.trim();
          return { intent: m.intent, slotWords };
        }
      }
      return undefined;
    },
  };
}
