import { loadManifest, keywordEntryFor, readVerifiedModel, resolveModelDir, type ModelFileEntry } from '../../models/manifest.js';
import { check, ok, type CheckResult } from './check.js';

/** Every model file the device would load (features, VAD, its keywords), read and checked against the manifest's sha256. */
export function checkModels(keywords: readonly string[], modelDir?: string): Promise<CheckResult> {
  const piece = 'wake-word models';
  return check(piece, async () => {
    const manifest = loadManifest();
    const dir = resolveModelDir(manifest, modelDir);
    const entries: ModelFileEntry[] = [manifest.features.melspectrogram, manifest.features.embedding, manifest.vad, ...keywords.map((k) => keywordEntryFor(manifest, k))];
    for (const e of entries) await readVerifiedModel(dir, e);
    return ok(piece, `${entries.length} files in ${dir} match their sha256 (${keywords.join(', ')})`);
  });
}
