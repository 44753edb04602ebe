/**
 * Benchmark of the local label model: for each photo in test/fixtures/photos, the model's time
 * per image (median of 5 after one warm-up run, decoding excluded) and its detections with raw
 * and calibrated scores.  Run: npx tsx local/rekognition/bench.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { calibrate } from './calibration';
import { detectRgb, loadCenterNet } from './centernet';
import { isRekognitionError } from './errors';
import { decodeImage, type RgbImage } from './image';
import { rekognitionName } from './taxonomy';

const dir = new URL('../../test/fixtures/photos/', import.meta.url);
const RUNS = 5;
const SHOW_RAW_ABOVE = 0.15;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

const loadStart = performance.now();
await loadCenterNet();
console.log(
  `model load (wasm backend + CenterNet + first run): ${(performance.now() - loadStart).toFixed(0)} ms\n`,
);
console.log('| photo | size | decode ms | model ms (median of 5) | labels: raw -> calibrated |');
console.log('| --- | --- | --- | --- | --- |');

for (const file of readdirSync(dir)
  .filter((f) => /\.(png|jpe?g)$/i.test(f))
  .sort()) {
  const bytes = readFileSync(new URL(file, dir));
  let image: RgbImage;
  const decodeStart = performance.now();
  try {
    image = decodeImage(bytes);
  } catch (err) {
    console.log(`| ${file} | - | - | - | ${isRekognitionError(err) ? err.type : String(err)} |`);
    continue;
  }
  const decodeMs = performance.now() - decodeStart;
  await detectRgb(image); // warm-up for this size
  const times: number[] = [];
  let detections = await detectRgb(image);
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    detections = await detectRgb(image);
    times.push(performance.now() - t);
  }
  const labels = detections
    .filter((d) => d.score >= SHOW_RAW_ABOVE)
    .map((d) => `${rekognitionName(d.className)} ${d.score.toFixed(2)} -> ${calibrate(d.score).toFixed(1)}`)
    .join(', ');
  console.log(
    `| ${file} | ${image.width}x${image.height} | ${decodeMs.toFixed(0)} | ${median(times).toFixed(0)} | ${labels || '(none)'} |`,
  );
}
