/** Direction of arrival from the microphone array (SRP-PHAT), for the listening ring's cyan segment. */
export { DoaAccumulator, DoaEstimator, DEFAULT_DOA_MIN_RMS, type DoaEstimate, type DoaEstimatorOptions } from './doa-estimator.js';
export { MultichannelHistory } from './multichannel-history.js';
export { SPEED_OF_SOUND, micPairs, pairLag, type MicPosition } from './steering.js';
export { Fft } from './fft.js';
