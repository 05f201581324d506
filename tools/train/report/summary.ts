import type { ClipRecipe } from '../data/recipes.js';
import { wordPieces } from '../data/examples.js';
import type { RealStream } from '../real/real-features.js';
import type { RealSourceSummary } from './report.js';

/** Counts per data source for the report: clips by split and kind, by voice, and the real sources. */
export function summariseData(recipes: readonly ClipRecipe[], real: readonly RealStream[], word: string): { clips: Record<string, number>; clipsByVoice: Record<string, number>; real: RealSourceSummary[] } {
  const clips: Record<string, number> = {};
  const clipsByVoice: Record<string, number> = {};
  for (const r of recipes) {
    clips[`${r.split} ${r.kind}`] = (clips[`${r.split} ${r.kind}`] ?? 0) + 1;
    if (r.speech) clipsByVoice[`${r.split} ${r.group}`] = (clipsByVoice[`${r.split} ${r.group}`] ?? 0) + 1;
  }
  return {
    clips,
    clipsByVoice: Object.fromEntries(Object.entries(clipsByVoice).sort(([a], [b]) => a.localeCompare(b))),
    real: real.map((s) => ({
      name: s.source.name,
      split: s.source.split,
      origin: s.source.origin,
      language: s.source.language,
      licence: s.source.licence,
      speakers: s.source.speakers,
      clips: s.pieces.filter((p) => p.clip !== undefined).length,
      hours: Math.round((s.samples / 16000 / 3600) * 1000) / 1000,
      wordClips: wordPieces(s, word).length,
    })),
  };
}
