/**
 * Worker-thread entry: decodes images and runs CenterNet off the HTTP server's event loop.
 * Protocol: request {id, bytes?: Uint8Array, warmUp?: true}; reply {id, detections, inferenceMs}
 * or {id, error: {type, message}} (type is a Rekognition error type, or undefined for a crash).
 * `inferenceMs` is the time this thread spent on the image (decode and inference), timed here so
 * that waiting in the queue or for the parent's event loop is not counted.
 */
import { parentPort } from 'node:worker_threads';
import { detectBytes, loadCenterNet } from './centernet';
import { isRekognitionError } from './errors';

interface Request {
  id: number;
  bytes?: Uint8Array;
  warmUp?: boolean;
}

const port = parentPort;
if (!port) throw new Error('model-worker.ts must run in a worker thread');

// Requests are handled one at a time: the wasm backend is single-threaded anyway.
let queue: Promise<void> = Promise.resolve();

port.on('message', (req: Request) => {
  queue = queue.then(async () => {
    try {
      if (req.warmUp) {
        await loadCenterNet();
        port.postMessage({ id: req.id, detections: [] });
      } else {
        const started = performance.now();
        const detections = await detectBytes(req.bytes ?? new Uint8Array());
        port.postMessage({ id: req.id, detections, inferenceMs: performance.now() - started });
      }
    } catch (err) {
      const type = isRekognitionError(err) ? err.type : undefined;
      const message = err instanceof Error ? err.message : String(err);
      port.postMessage({ id: req.id, error: { type, message } });
    }
  });
});
