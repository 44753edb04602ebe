/**
 * Label models: the interface `detectLabels` needs, and the CenterNet implementation running
 * either in a worker thread (default, keeps the HTTP event loop free) or in the calling thread.
 */
import { Worker } from 'node:worker_threads';
import type { Detection } from './centernet';
import { RekognitionError, type RekognitionErrorType } from './errors';
import { CENTERNET_VERSION } from './model-version';

export type { Detection } from './centernet';

export interface LabelModel {
  /** Reported as LabelModelVersion. */
  readonly version: string;
  /** Decodes the image and detects objects; throws RekognitionError for undecodable images. */
  detect(image: Uint8Array): Promise<Detection[]>;
  /** Loads the model (idempotent). */
  warmUp(): Promise<void>;
  /** Releases the worker, if any. */
  close(): Promise<void>;
  /**
   * What the model has done so far: images answered and the time spent on them, excluding
   * time queued. A benchmark compares it across runs to tell a slower model from a starved one.
   */
  usage?(): ModelUsage;
}

export interface ModelUsage {
  inferences: number;
  inferenceMs: number;
}

/**
 * A model that answers every image at once with the same detections: for tests and benchmarks
 * that measure everything but the model (the CenterNet model is then never loaded).
 */
export function createFixedModel(detections: Detection[], version = 'fixed-1.0'): LabelModel {
  return {
    version,
    detect: async () => detections,
    warmUp: async () => {},
    close: async () => {},
  };
}

export interface CenterNetOptions {
  /** 'worker' (default): decode and infer in a worker thread; 'main': in the calling thread. */
  thread?: 'worker' | 'main';
}

/** The bundled CenterNet COCO detector, loaded lazily on first use or `warmUp()`. */
export function createCenterNetModel(options: CenterNetOptions = {}): LabelModel {
  if (options.thread === 'main') {
    // Loaded on first use: importing tfjs costs this thread about 150 ms.
    const centernet = () => import('./centernet');
    const used: ModelUsage = { inferences: 0, inferenceMs: 0 };
    return {
      version: CENTERNET_VERSION,
      detect: async (image) => {
        const { detectBytes } = await centernet();
        const started = performance.now();
        const detections = await detectBytes(image);
        used.inferences++;
        used.inferenceMs += performance.now() - started;
        return detections;
      },
      warmUp: async () => {
        await (await centernet()).loadCenterNet();
      },
      close: async () => {},
      usage: () => ({ ...used }),
    };
  }
  return new WorkerModel();
}

interface Reply {
  id: number;
  detections?: Detection[];
  /** The worker's own time on the image. */
  inferenceMs?: number;
  error?: { type?: RekognitionErrorType; message: string };
}

interface Pending {
  resolve: (detections: Detection[]) => void;
  reject: (err: Error) => void;
}

/**
 * Spawns the worker. From TypeScript sources (tsx, vitest) it starts through the plain-JS
 * bootstrap that loads model-worker.ts with tsx (local/ts-worker.mjs).
 */
function spawnWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./model-worker.js', import.meta.url));
  return new Worker(new URL('../ts-worker.mjs', import.meta.url), {
    workerData: { tsEntry: new URL('./model-worker.ts', import.meta.url).href },
  });
}

class WorkerModel implements LabelModel {
  readonly version = CENTERNET_VERSION;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly used: ModelUsage = { inferences: 0, inferenceMs: 0 };

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnWorker();
    worker.unref(); // an idle model must not keep the process alive
    worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.error) {
        const { type, message } = reply.error;
        p.reject(type ? new RekognitionError(type, message) : new Error(message));
      } else {
        if (reply.inferenceMs !== undefined) {
          this.used.inferences++;
          this.used.inferenceMs += reply.inferenceMs;
        }
        p.resolve(reply.detections ?? []);
      }
    });
    const fail = (err: Error): void => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      if (this.worker === worker) this.worker = undefined; // respawn on next call
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`model worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private call(message: { bytes?: Uint8Array; warmUp?: boolean }): Promise<Detection[]> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<Detection[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // keep the process alive while a request is in flight
      worker.postMessage({ id, ...message });
    });
  }

  detect(image: Uint8Array): Promise<Detection[]> {
    return this.call({ bytes: image });
  }

  async warmUp(): Promise<void> {
    await this.call({ warmUp: true });
  }

  usage(): ModelUsage {
    return { ...this.used };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
