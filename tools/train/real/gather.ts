import path from 'node:path';
import { isEchosimError } from '../../../hal/errors.js';
import { DEBIAN_SOURCES } from './debian-sources.js';
import { fetchDebianSource } from './fetch.js';
import { capSource, debianSource, directorySources, type RealSource } from './sources.js';

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
  return { sources: sources.map((s) => capSource(s, maxClips)), lacks };
}
