import path from 'node:path';
import { isEchosimError } from '../../../core/errors.js';
import { DEBIAN_SOURCES } from './debian-sources.js';
import { fetchDebianSource } from './fetch.js';
import { KNOWN_NEAR_MISSES } from '../text/sentences.js';
import { transcriptContains } from '../text/word-match.js';
import { capSource, debianSource, directorySources, type RealClip, type RealSource } from './sources.js';

/**
 * Real recordings that say one of the words echosim ships (the Dutch "computer" lines, the
 * phonetic alphabet's "echo") survive any cap: they are the only real recall checks there are, and
 * keeping them for every word keeps the capped sources the same for every word.
 */
const SAYS_A_SHIPPED_WORD = (clip: RealClip): boolean => Object.keys(KNOWN_NEAR_MISSES).some((w) => transcriptContains(clip.transcript, w));

/**
 * The real speech of a run: the folders given with --real-negatives, and (unless left out) the
 * Debian sources, fetched into `<cacheDir>/debian` on first use. A Debian source that cannot be had
 * is left out and said in `lacks`, as is running without any real speech at all.
 */
export function gatherRealSources(dirs: readonly string[], debian: boolean, cacheDir: string, log: (line: string) => void, maxClips = Infinity): { sources: RealSource[]; lacks: string[] } {
  const lacks: string[] = [];
  const sources = directorySources(dirs);
  if (dirs.length === 0) lacks.push('no --real-negatives folder (e.g. /work/shared/data/real-speech-negatives): fewer real speakers to learn from and to measure on');
  if (debian) {
    for (const src of DEBIAN_SOURCES) {
      try {
        log(`real speech: ${src.name} (${src.packages.join(', ')})`);
        sources.push(debianSource(fetchDebianSource(path.join(cacheDir, 'debian'), src)));
      } catch (err) {
        if (!isEchosimError(err, 'TRAIN_FETCH_FAILED')) throw err;
        lacks.push(`Debian real speech "${src.name}": ${err.message}`);
      }
    }
  } else lacks.push('Debian real speech (left out with --no-debian-speech)');
  if (!sources.some((s) => s.split === 'train')) lacks.push('real speech to train on: the head learns synthetic negatives only and will fire on real speech far more often');
  if (!sources.some((s) => s.split === 'val')) lacks.push('real speech to validate on: false accepts per hour on real speech are not measured');
  return { sources: sources.map((s) => capSource(s, maxClips, SAYS_A_SHIPPED_WORD)), lacks };
}
