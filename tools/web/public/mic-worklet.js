// AudioWorklet: the page's microphone at the context's rate (often 48 kHz) to 16 kHz int16 mono, in
// 80 ms frames (1280 samples) posted to the page, which sends them to the device. A windowed-sinc
// low-pass at 7.2 kHz first, so nothing above the 8 kHz Nyquist limit folds back into the speech band.
const OUT_RATE = 16000;
const FRAME = 1280;
const TAPS = 63;

function lowPass(inRate) {
  const cutoff = 7200 / inRate;
  const h = new Float32Array(TAPS);
  const mid = (TAPS - 1) / 2;
  let sum = 0;
  for (let i = 0; i < TAPS; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const w = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (TAPS - 1));
    h[i] = sinc * w;
    sum += h[i];
  }
  for (let i = 0; i < TAPS; i++) h[i] /= sum;
  return h;
}

class ResampleTo16k extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / OUT_RATE;
    this.filter = sampleRate > OUT_RATE ? lowPass(sampleRate) : null;
    this.history = new Float32Array(TAPS); // the last TAPS input samples, filtered on the way out
    this.filtered = [];
    this.pos = 0; // position of the next output sample, in filtered input samples
    this.out = new Int16Array(FRAME);
    this.n = 0;
  }

  process(inputs) {
    const input = inputs[0]?.[0];
    if (!input) return true;
    for (let i = 0; i < input.length; i++) {
      this.history.copyWithin(0, 1);
      this.history[TAPS - 1] = input[i];
      let y = input[i];
      if (this.filter) {
        y = 0;
        for (let k = 0; k < TAPS; k++) y += this.filter[k] * this.history[k];
      }
      this.filtered.push(y);
    }
    while (this.pos + 1 < this.filtered.length) {
      const i = Math.floor(this.pos);
      const f = this.pos - i;
      const s = this.filtered[i] * (1 - f) + this.filtered[i + 1] * f;
      this.out[this.n++] = Math.max(-32768, Math.min(32767, Math.round(s * 32767)));
      if (this.n === FRAME) {
        this.port.postMessage(this.out.buffer, [this.out.buffer]);
        this.out = new Int16Array(FRAME);
        this.n = 0;
      }
      this.pos += this.step;
    }
    const used = Math.floor(this.pos);
    this.filtered = this.filtered.slice(used);
    this.pos -= used;
    return true;
  }
}

registerProcessor('resample-to-16k', ResampleTo16k);
