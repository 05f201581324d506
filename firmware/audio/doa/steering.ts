/**
 * Array geometry for direction finding: which microphone pairs to correlate, the delay each pair sees
 * for a talker at each candidate azimuth, and where those delays fall on the GCC lag grid.
 *
 * Angle convention (the whole device): azimuth in degrees counter-clockwise seen from above,
 * 0 = the direction of mic 0, in [0, 360). A far-field talker at azimuth t sends a plane wave from
 * u = (cos t, sin t); a mic at p hears it (p . u) / c seconds EARLIER than the array centre. In
 * samples that advance is a_i = fs (p_i . u) / c, and pair (i, j) sees the lag a_i - a_j: the lag at
 * which the GCC of channel i against channel j peaks (see gcc-phat.ts for the sign).
 */
export interface MicPosition {
  readonly x: number;
  readonly y: number;
}

/** Speed of sound in air at about 20 degrees C, m/s. */
export const SPEED_OF_SOUND = 343;

/** Mics closer than this (m) are treated as one point: their pair carries no direction. */
const MIN_PAIR_SPACING = 1e-4;

/** Every pair (i < j) of distinct mic positions. */
export function micPairs(positions: ReadonlyArray<MicPosition>): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < positions.length; i++) {
    for (let j = i + 1; j < positions.length; j++) {
      const a = positions[i]!;
      const b = positions[j]!;
      if (Math.hypot(a.x - b.x, a.y - b.y) >= MIN_PAIR_SPACING) pairs.push([i, j]);
    }
  }
  return pairs;
}

/** The lag in samples (a_i - a_j) pair (i, j) sees for a far-field talker at `azimuthRad`. */
export function pairLag(a: MicPosition, b: MicPosition, azimuthRad: number, sampleRate: number, speedOfSound = SPEED_OF_SOUND): number {
  return (sampleRate * ((a.x - b.x) * Math.cos(azimuthRad) + (a.y - b.y) * Math.sin(azimuthRad))) / speedOfSound;
}

/** The largest lag any pair can see, samples. */
export function maxPairLag(
  positions: ReadonlyArray<MicPosition>,
  pairs: ReadonlyArray<readonly [number, number]>,
  sampleRate: number,
  speedOfSound = SPEED_OF_SOUND,
): number {
  let max = 0;
  for (const [i, j] of pairs) {
    const a = positions[i]!;
    const b = positions[j]!;
    max = Math.max(max, (sampleRate * Math.hypot(a.x - b.x, a.y - b.y)) / speedOfSound);
  }
  return max;
}

/** A uniform lag grid: lag(m) = lag0 + m * step, m < count. */
export interface LagGrid {
  readonly lag0: number;
  readonly lagStep: number;
  readonly lagCount: number;
}

/**
 * Precomputed per-pair steering: for pair p and candidate azimuth a, the pair's expected lag lies
 * between lag indices `lo[p] + base[p*A + a]` and the next one, at fraction `frac[p*A + a]`. Each pair
 * only needs lag indices `lo[p] .. lo[p] + span[p] - 1`, so evaluation correlates just those.
 */
export interface Steering {
  readonly azimuthCount: number;
  /** Candidate azimuths, radians, a * 2 pi / A. */
  readonly azimuthsRad: Float64Array;
  /** Expected lag of pair p at azimuth a, samples, at `p * A + a`. */
  readonly lags: Float64Array;
  readonly lo: Int32Array;
  readonly span: Int32Array;
  readonly base: Int32Array;
  readonly frac: Float64Array;
}

export function buildSteering(
  positions: ReadonlyArray<MicPosition>,
  pairs: ReadonlyArray<readonly [number, number]>,
  azimuthCount: number,
  grid: LagGrid,
  sampleRate: number,
  speedOfSound = SPEED_OF_SOUND,
): Steering {
  const A = azimuthCount;
  const P = pairs.length;
  const azimuthsRad = Float64Array.from({ length: A }, (_, a) => (2 * Math.PI * a) / A);
  const lags = new Float64Array(P * A);
  const lo = new Int32Array(P);
  const span = new Int32Array(P);
  const base = new Int32Array(P * A);
  const frac = new Float64Array(P * A);
  for (let p = 0; p < P; p++) {
    const [i, j] = pairs[p]!;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < A; a++) {
      const lag = pairLag(positions[i]!, positions[j]!, azimuthsRad[a]!, sampleRate, speedOfSound);
      lags[p * A + a] = lag;
      const x = (lag - grid.lag0) / grid.lagStep;
      const m = Math.min(Math.max(Math.floor(x), 0), grid.lagCount - 2);
      base[p * A + a] = m;
      frac[p * A + a] = x - m;
      min = Math.min(min, m);
      max = Math.max(max, m + 1);
    }
    lo[p] = min;
    span[p] = max - min + 1;
    for (let a = 0; a < A; a++) base[p * A + a]! -= min;
  }
  return { azimuthCount: A, azimuthsRad, lags, lo, span, base, frac };
}

/**
 * For each candidate azimuth a, the mean over all azimuths of the steered response an ideal, perfectly
 * coherent talker at a would produce. A small array cannot tell nearby directions apart at low
 * frequencies, so even a perfect talker's response is broad and its mean well above 0; dividing
 * "peak minus mean" by "1 minus this" makes the confidence 1 for a perfect talker on any array.
 *
 * The ideal whitened GCC of every pair is the same function of the lag error d:
 * R(d) = (1/K) sum_k cos(w_k d) over the analysis band, tabulated here and interpolated.
 */
export function idealResponseMeans(steering: Steering, pairCount: number, bandOmegas: Float64Array, lagStep: number): Float64Array {
  const A = steering.azimuthCount;
  const P = pairCount;
  let maxLag = 0;
  for (const l of steering.lags) maxLag = Math.max(maxLag, Math.abs(l));
  const n = Math.ceil((2 * maxLag) / lagStep) + 2;
  const R = new Float64Array(n);
  for (let m = 0; m < n; m++) {
    let acc = 0;
    for (const w of bandOmegas) acc += Math.cos(w * m * lagStep);
    R[m] = acc / bandOmegas.length;
  }
  const means = new Float64Array(A);
  for (let a = 0; a < A; a++) {
    let total = 0;
    for (let p = 0; p < P; p++) {
      const ref = steering.lags[p * A + a]!;
      for (let b = 0; b < A; b++) {
        const x = Math.abs(steering.lags[p * A + b]! - ref) / lagStep;
        const m = Math.min(Math.floor(x), n - 2);
        const f = x - m;
        total += R[m]! + f * (R[m + 1]! - R[m]!);
      }
    }
    means[a] = total / (A * P);
  }
  return means;
}
