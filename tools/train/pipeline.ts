import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EchosimError } from '../../core/errors.js';
import { keywordEntryFor, loadManifest, readVerifiedModel, resolveModelDir } from '../../models/manifest.js';
import { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import { ProgressBar } from '../progress.js';
import { countByClass, buildTrainSets } from './data/examples.js';
import { planClips } from './data/plan.js';
import { mineVerifierSet } from './data/hard-negatives.js';
import { clipKey, syntheticFeatures } from './data/synthetic.js';
import { keyphraseLadder } from './eval/pocketsphinx.js';
import { validate } from './eval/validate.js';
import { FeatureCache } from './features/cache.js';
import { FeatureExtractor } from './features/extractor.js';
import { hashOf, sha256 } from './hash.js';
import { exportHead } from './model/export-head.js';
import { loadTf } from './model/tf.js';
import { cacheHead, cachedHead, trainedHeadKey } from './model/head-cache.js';
import { trainHead, type EpochLog } from './model/train-head.js';
import { budgetScale, stage1Recipe, verifierRecipe, type TrainOptions } from './options.js';
import { gatherRealSources } from './real/gather.js';
import { realCloudViews, realStreams } from './real/real-features.js';
import { validationSvgs } from './report/curves-svg.js';
import { headDescription, modelCard } from './report/model-card.js';
import { reportMarkdown } from './report/markdown.js';
import type { ChosenDefaults, TrainingReport } from './report/report.js';
import { summariseData } from './report/summary.js';
import { PronouncingDictionary } from './text/cmudict.js';
import { generateNearMisses } from './text/near-misses.js';
import { KNOWN_NEAR_MISSES } from './text/sentences.js';
import { mentionsWord, normalizeWord, wordSlug } from './text/word-match.js';
import { StageTimer } from './timing.js';
import { Synthesizer } from './tts/synthesizer.js';
import { discoverVoices, HELD_OUT } from './tts/voices.js';

/** Cloud views of each real training source (the verifier's real negatives as the cloud sees them), at the full budget. */
const REAL_CLOUD_VIEWS = 400;
/** Recall the first stage keeps on held-out voices; the targets the cascade is chosen for (issue 14). */
const STAGE1_RECALL = 0.97;
const TARGETS = { nearMissPerHour: 2, realPerHour: 1 };

/**
 * `echosim train wakeword`: synthesise and gather the data, compute the runtime's features (cached),
 * train the first stage and the verifier, export and check both as ONNX, validate each stage and the
 * cascade on held-out voices and real speech, choose the defaults, and write the heads, their
 * description, the model card and the training report into `out`.
 */
export async function trainWakeword(options: TrainOptions, log: (line: string) => void): Promise<TrainingReport> {
  const word = normalizeWord(options.word);
  const slug = wordSlug(word);
  const timer = new StageTimer();
  const scale = budgetScale(options.minutes);
  const dict = PronouncingDictionary.load();
  const catalog = discoverVoices();
  const lacks = catalog.missing.map((m) => `TTS: ${m}`);
  if (!catalog.voices.some((v) => v.split === 'train') || !catalog.voices.some((v) => v.split === 'val')) {
    throw new EchosimError('TRAIN_TOOL_MISSING', 'no text-to-speech voices to train with', { hint: 'install espeak-ng (and flite, festival with its voices): bash tools/setup.sh' });
  }
  const manifest = loadManifest();
  const featureIdentity = hashOf({ melspectrogram: manifest.features.melspectrogram.sha256, embedding: manifest.features.embedding.sha256, seedNoise: 1, streaming: true });
  const cache = new FeatureCache(path.join(options.cache, 'features'));
  const models = await OpenWakeWordModels.load({ keywords: [] });
  const synthesizer = new Synthesizer(options.jobs);
  try {
    const extractor = new FeatureExtractor(models, 8);
    const seedFeatures = models.seedFeatures;
    const nearMisses = [...new Set([...generateNearMisses(word, dict, 80).map((m) => m.text), ...(KNOWN_NEAR_MISSES[word] ?? [])])].filter((t) => !mentionsWord(t, word));
    const plan = planClips({ word, voices: catalog.voices, nearMisses, seed: options.seed, scale });
    const { sources, lacks: realLacks } = gatherRealSources(options.realNegatives, options.debianSpeech, options.cache, log, options.maxRealClips);
    lacks.push(...realLacks);

    const clips = await timer.time('synthetic speech and features', async () => {
      const bar = new ProgressBar(plan.recipes.length, 'synthetic clips', process.stderr, options.progress);
      return syntheticFeatures(plan, { cache, extractor, synthesizer, featureIdentity, ttsVersions: catalog.versions }, (n) => {
        for (let i = 0; i < n; i++) bar.tick();
      });
    });
    const clipKeys = plan.recipes.map((r) => clipKey(r, plan, { featureIdentity, ttsVersions: catalog.versions }));
    const real = await timer.time('real speech features', async () => {
      const bar = new ProgressBar(sources.reduce((n, s) => n + s.clips.length, 0), 'real speech clips', process.stderr, options.progress);
      return realStreams(sources, { cache, extractor, featureIdentity }, () => bar.tick());
    });
    const trainReal = real.filter((s) => s.source.split === 'train');
    const realCloud = await timer.time('real speech, cloud views', async () => {
      const views = Math.max(20, Math.round(REAL_CLOUD_VIEWS * scale));
      const bar = new ProgressBar(trainReal.length * views, 'real speech, cloud views', process.stderr, options.progress);
      const out: Float32Array[][] = [];
      for (const s of trainReal) out.push(await realCloudViews(s, views, { cache, extractor, featureIdentity }, () => bar.tick()));
      return out;
    });
    const sets = buildTrainSets(word, seedFeatures, plan.recipes, clips, trainReal, realCloud);

    const tf = await loadTf();
    const train = async (name: string, recipe: ReturnType<typeof stage1Recipe>, set: typeof sets.stage1): Promise<{ bytes: Uint8Array; log: EpochLog[]; maxDiff: number }> =>
      timer.time(`train ${name}`, async () => {
        const key = trainedHeadKey(set, recipe, options.seed, tf.version.tfjs);
        const cached = cachedHead(cache, key);
        if (cached) {
          log(`train ${name}: the same data, recipe and seed as a run before; its head is reused from the cache`);
          return cached;
        }
        const bar = new ProgressBar(recipe.epochs, `train ${name}`, process.stderr, options.progress);
        const { model, log: epochs } = await trainHead(tf, set, recipe, options.seed, (e) => bar.tick(`loss ${e.loss.toFixed(4)}`));
        const exported = await exportHead(tf, model, set, `${slug}_${name}`);
        model.dispose();
        const head = { ...exported, log: epochs };
        cacheHead(cache, key, head);
        return head;
      });
    const stage1 = await train('stage1', stage1Recipe(scale), sets.stage1);
    const mined = await timer.time('mine hard negatives', async () => {
      let bar: ProgressBar | undefined;
      return mineVerifierSet({ word, stage1: stage1.bytes, plan, clips, clipKeys, real: trainReal, sets, extractor, synthesizer, cache, featureIdentity, seed: options.seed }, (done, total) => {
        bar ??= new ProgressBar(total, 'stage-1 detections, cloud windows', process.stderr, options.progress);
        while (bar.count < done) bar.tick();
      });
    });
    const verifier = await train('verifier', verifierRecipe(scale), mined.set);

    const compare = manifest.keywords[slug] ? keywordEntryFor(manifest, slug) : undefined;
    const phones = dict.phrasePronunciations(word)[0];
    if (!phones) lacks.push(`a pronunciation of "${word}" in pocketsphinx's dictionary: no keyphrase check`);
    const ladder = keyphraseLadder(phones?.length ?? 0);
    const validation = await timer.time('validation', async () =>
      validate({
        word,
        ...(phones ? { keyphrase: word } : {}),
        ladder,
        seedFeatures,
        recipes: plan.recipes,
        clips,
        clipKeys,
        cache,
        real: real.filter((s) => s.source.split === 'val'),
        stage1: stage1.bytes,
        verifier: verifier.bytes,
        verifierPatience: 1,
        ...(compare ? { compareWith: { bytes: await readVerifiedModel(resolveModelDir(manifest), compare), threshold: compare.threshold } } : {}),
        extractor,
        dict,
        seed: options.seed,
        stage1Recall: STAGE1_RECALL,
        targets: TARGETS,
      }),
    );
    if (!validation.cascade.keyphraseChecked && phones) lacks.push('pocketsphinx (pocketsphinx, pocketsphinx-en-us): no keyphrase check measured');
    const c = validation.cascade.chosen;
    const chosen: ChosenDefaults = {
      threshold: validation.stage1.chosen.rule.threshold,
      patience: validation.stage1.chosen.rule.patience,
      verifier: { high: c.high, low: c.low, patience: 1 },
      ...(c.kws >= 0 ? { keyphrase: { text: word, kwsThreshold: ladder[c.kws]! } } : {}),
    };
    const files = { stage1: `${slug}.onnx`, verifier: `${slug}-verifier.onnx` };
    const report: TrainingReport = {
      word,
      wakeWord: slug.toUpperCase(),
      command: options.command,
      seed: options.seed,
      minutes: options.minutes,
      featureModels: { package: manifest.package, packageVersion: manifest.packageVersion, melspectrogram: { ...manifest.features.melspectrogram }, embedding: { ...manifest.features.embedding } },
      versions: { ...catalog.versions, melspectrogram: manifest.features.melspectrogram.sha256.slice(0, 12), embedding: manifest.features.embedding.sha256.slice(0, 12), tfjs: tf.version.tfjs, node: process.versions.node },
      voices: { train: catalog.voices.filter((v) => v.split === 'train').length, val: catalog.voices.filter((v) => v.split === 'val').length, heldOut: heldOutDescription() },
      counts: { ...summariseData(plan.recipes, real, word), windows: { stage1: countByClass(sets.stage1.examples), verifier: countByClass(mined.set.examples) } },
      mining: mined.summary,
      nearMisses,
      lacks,
      training: { stage1: stage1.log, verifier: verifier.log },
      export: {
        stage1: { file: files.stage1, bytes: stage1.bytes.length, sha256: sha256(stage1.bytes), maxDiffVsTfjs: stage1.maxDiff },
        verifier: { file: files.verifier, bytes: verifier.bytes.length, sha256: sha256(verifier.bytes), maxDiffVsTfjs: verifier.maxDiff },
      },
      validation,
      chosen,
      time: { ...timer.totals(), stages: timer.stages },
      cache: { dir: options.cache, hits: cache.hits, misses: cache.misses },
    };
    mkdirSync(options.out, { recursive: true });
    writeFileSync(path.join(options.out, files.stage1), stage1.bytes);
    writeFileSync(path.join(options.out, files.verifier), verifier.bytes);
    writeFileSync(path.join(options.out, `${slug}.json`), `${JSON.stringify(headDescription(report), null, 2)}\n`);
    writeFileSync(path.join(options.out, 'MODEL_CARD.md'), modelCard(report));
    writeFileSync(path.join(options.out, 'training-report.json'), `${JSON.stringify(report, null, 1)}\n`);
    writeFileSync(path.join(options.out, 'training-report.md'), reportMarkdown(report));
    const svgs = validationSvgs(report);
    writeFileSync(path.join(options.out, 'det-real.svg'), svgs.real);
    writeFileSync(path.join(options.out, 'det-near-miss.svg'), svgs['near-miss']);
    return report;
  } finally {
    synthesizer.close();
    await models.dispose();
  }
}

function heldOutDescription(): string[] {
  return [
    `espeak-ng accent ${HELD_OUT.espeakAccent} (every variant)`,
    `one espeak-ng variant in ${HELD_OUT.espeakVariantEvery} in every accent`,
    `flite ${HELD_OUT.flite}`,
    `festival ${HELD_OUT.festival}`,
  ];
}
