/**
 * Confidence calibration: the ONE place where raw CenterNet scores (0..1) become Rekognition
 * confidences (0..100).
 *
 * CenterNet scores correct, clear subjects at about 0.45-0.60 (astronaut: person 0.61, coffee:
 * cup 0.46), while Rekognition reports about 90-99 for such subjects and callers pass
 * MinConfidence 50-80. A piecewise-linear, strictly increasing map through the knots below puts
 * raw 0.30 at Rekognition's default MinConfidence (55), raw 0.45 at 85 and raw 0.60 at 97.
 * See README.md for the observed raw and calibrated scores.
 */
export const CALIBRATION_KNOTS: readonly (readonly [raw: number, confidence: number])[] = [
  [0, 0],
  [0.15, 30],
  [0.3, 55],
  [0.45, 85],
  [0.6, 97],
  [1, 99.9],
];

/** Maps a raw detector score (clamped to 0..1) onto Rekognition's 0..100 confidence scale. */
export function calibrate(raw: number): number {
  if (!Number.isFinite(raw) || raw <= 0) return 0;
  let [x0, y0] = CALIBRATION_KNOTS[0] ?? [0, 0];
  for (const [x1, y1] of CALIBRATION_KNOTS.slice(1)) {
    if (raw <= x1) return y0 + ((raw - x0) / (x1 - x0)) * (y1 - y0);
    [x0, y0] = [x1, y1];
  }
  return y0;
}

/** Inverse of `calibrate`: the raw score that calibrates to `confidence` (used to pre-filter). */
export function rawThresholdFor(confidence: number): number {
  if (confidence <= 0) return 0;
  let [x0, y0] = CALIBRATION_KNOTS[0] ?? [0, 0];
  for (const [x1, y1] of CALIBRATION_KNOTS.slice(1)) {
    if (confidence <= y1) return x0 + ((confidence - y0) / (y1 - y0)) * (x1 - x0);
    [x0, y0] = [x1, y1];
  }
  return 1;
}
