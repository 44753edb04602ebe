/**
 * The CenterNet COCO detector shipped in @vladmandic/human (models/centernet.json + .bin), run
 * with @tensorflow/tfjs-core + tfjs-converter on the WebAssembly backend. Everything is read from
 * node_modules: no network access.
 *
 * This module does the work in the calling thread; `model.ts` runs it in a worker thread.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { decodeImage, type RgbImage } from './image';
import { COCO_CLASSES } from './taxonomy';

export { CENTERNET_VERSION } from './model-version';

/** One detected object: COCO class, raw score 0..1, box as ratios of the image size. */
export interface Detection {
  className: string;
  score: number;
  box: { left: number; top: number; width: number; height: number };
}

/** Detections below this raw score are dropped (calibrates to about 10). */
export const MIN_RAW_SCORE = 0.05;
/** Same-class boxes overlapping more than this are one object (greedy NMS). */
const NMS_IOU = 0.5;
const OUTPUT_NODE = 'tower_0/detections';

const require = createRequire(import.meta.url);

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: Record<string, unknown>;
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Loads a tfjs graph model from local files. tfjs's own `file://` loading needs a `fetch` that
 * reads the disk (Node's fetch refuses file: URLs), so instead of patching fetch this is the one
 * place that reads model.json and its weight files and hands them to tfjs as an IOHandler.
 */
async function loadLocalGraphModel(modelJsonPath: string): Promise<GraphModel> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
  const dir = dirname(modelJsonPath);
  const paths = json.weightsManifest.flatMap((group) => group.paths);
  const buffers = await Promise.all(paths.map((p) => readFile(join(dir, p))));
  const weights = Buffer.concat(buffers);
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: json.modelTopology,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  };
  return loadGraphModel(handler);
}

interface Loaded {
  model: GraphModel;
  inputSize: number;
}

let loading: Promise<Loaded> | undefined;

/** Loads the backend and the model once (cached promise; a failed load is retried next call). */
export function loadCenterNet(): Promise<Loaded> {
  loading ??= (async () => {
    // The wasm binaries are read from disk: point tfjs at the package's dist folder (a file path).
    const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(`${wasmDir}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
    await tf.ready();
    // human's `exports` map has malformed subpath keys (no "./"), so only the bare package
    // resolves (to dist/human.node.js); the models folder sits next to dist/
    const humanDist = dirname(require.resolve('@vladmandic/human'));
    const modelPath = join(humanDist, '..', 'models', 'centernet.json');
    const model = await loadLocalGraphModel(modelPath);
    const shape = model.inputs[0]?.shape;
    const inputSize = shape?.[1] && shape[1] > 0 ? shape[1] : 512;
    // first inference compiles kernels: do it here so callers measure steady-state
    tf.tidy(() => model.execute(tf.zeros([1, inputSize, inputSize, 3]), OUTPUT_NODE) as tf.Tensor).dispose();
    return { model, inputSize };
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

function iou(a: Detection['box'], b: Detection['box']): number {
  const x1 = Math.max(a.left, b.left);
  const y1 = Math.max(a.top, b.top);
  const x2 = Math.min(a.left + a.width, b.left + b.width);
  const y2 = Math.min(a.top + a.height, b.top + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy per-class non-maximum suppression; keeps the highest-scoring box of each cluster. */
export function suppressDuplicates(detections: Detection[]): Detection[] {
  const kept: Detection[] = [];
  for (const d of [...detections].sort((a, b) => b.score - a.score)) {
    if (!kept.some((k) => k.className === d.className && iou(k.box, d.box) > NMS_IOU)) kept.push(d);
  }
  return kept;
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/**
 * Converts CenterNet's output rows [x1, y1, x2, y2, score, class] (pixels of the square model
 * input) into detections with boxes as ratios of the original image (the resize is per-axis,
 * so input-space ratios are image-space ratios).
 */
export function decodeCenterNetRows(rows: number[][], inputSize: number): Detection[] {
  const out: Detection[] = [];
  for (const row of rows) {
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0, score = 0, cls = Number.NaN] = row;
    const className = COCO_CLASSES[cls];
    if (!Number.isInteger(cls) || !className || !(score >= MIN_RAW_SCORE)) continue;
    const left = clamp01(x1 / inputSize);
    const top = clamp01(y1 / inputSize);
    const width = clamp01(x2 / inputSize) - left;
    const height = clamp01(y2 / inputSize) - top;
    if (width <= 0 || height <= 0) continue;
    out.push({ className, score, box: { left, top, width, height } });
  }
  return suppressDuplicates(out);
}

/** Runs the detector on decoded RGB pixels. */
export async function detectRgb(image: RgbImage): Promise<Detection[]> {
  const { model, inputSize } = await loadCenterNet();
  const output = tf.tidy(() => {
    const pixels = tf.tensor4d(image.data, [1, image.height, image.width, 3], 'float32');
    const resized = tf.image.resizeBilinear(pixels, [inputSize, inputSize]);
    return model.execute(resized, OUTPUT_NODE) as tf.Tensor;
  });
  try {
    const rows = ((await output.array()) as number[][][])[0] ?? [];
    return decodeCenterNetRows(rows, inputSize);
  } finally {
    output.dispose();
  }
}

/** Decodes JPEG/PNG bytes and runs the detector (throws RekognitionError for bad images). */
export async function detectBytes(bytes: Uint8Array): Promise<Detection[]> {
  return detectRgb(decodeImage(bytes));
}
