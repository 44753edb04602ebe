import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Everything S3 returns about an object besides its bytes. */
export interface ObjectMeta {
  key: string;
  size: number;
  /** Quoted, as in the ETag header: `"<md5>"` or `"<md5>-<parts>"`. */
  etag: string;
  lastModified: string;
  contentType: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  metadata: Record<string, string>;
  /** Sequencer of the event that created this version. */
  sequencer: string;
  /** File name of the bytes, inside the bucket's objects directory. */
  dataFile: string;
}

export type NewObjectMeta = Omit<ObjectMeta, 'key' | 'dataFile' | 'lastModified'>;

export interface BucketInfo {
  name: string;
  creationDate: string;
}

export interface UploadInfo {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: string;
  meta: Omit<NewObjectMeta, 'size' | 'etag' | 'sequencer'>;
}

export interface PartInfo {
  partNumber: number;
  etag: string;
  size: number;
}

interface BucketState {
  info: BucketInfo;
  objects: Map<string, ObjectMeta>;
  sorted: string[] | undefined;
}

const keyHash = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** S3 lists keys in the binary order of their UTF-8 bytes. */
export const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function writeFileDurably(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    await handle.close();
  }
}

/**
 * Objects on disk: `<dataDir>/buckets/<bucket>/objects/<sha256(key)>.json` holds the metadata
 * (including the exact key) and points at the bytes in `<sha256(key)>.<uuid>.data`, so any key
 * (spaces, `%`, unicode, `a` next to `a/b`, `..`) maps to a safe file name. Writing the JSON is
 * the commit point; an index of all metadata is kept in memory.
 */
export class FileStore {
  private readonly buckets = new Map<string, BucketState>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly root: string;
  private readonly tmpDir: string;
  private readonly uploadsDir: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'buckets');
    this.tmpDir = join(dataDir, 'tmp');
    this.uploadsDir = join(dataDir, 'uploads');
  }

  /** Loads every bucket and object index from disk; returns the sequencers seen. */
  async init(): Promise<string[]> {
    await mkdir(this.root, { recursive: true });
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(this.uploadsDir, { recursive: true });
    const sequencers: string[] = [];
    for (const name of await readdir(this.root)) {
      let info: BucketInfo;
      try {
        info = JSON.parse(await readFile(join(this.root, name, 'bucket.json'), 'utf8')) as BucketInfo;
      } catch {
        continue;
      }
      const state: BucketState = { info, objects: new Map(), sorted: undefined };
      const dir = join(this.root, name, 'objects');
      await mkdir(dir, { recursive: true });
      const files = await readdir(dir);
      const referenced = new Set<string>();
      for (const file of files.filter((f) => f.endsWith('.json'))) {
        const meta = JSON.parse(await readFile(join(dir, file), 'utf8')) as ObjectMeta;
        state.objects.set(meta.key, meta);
        referenced.add(meta.dataFile);
        sequencers.push(meta.sequencer);
      }
      // Data files left by a crash between writing bytes and committing metadata.
      for (const file of files.filter((f) => !f.endsWith('.json') && !referenced.has(f))) {
        await rm(join(dir, file), { force: true });
      }
      this.buckets.set(name, state);
    }
    return sequencers;
  }

  /** A fresh temporary file path on the same file system as the store. */
  tempPath(): string {
    return join(this.tmpDir, randomUUID());
  }

  /** Runs `fn` after every earlier call with the same lock id has settled. */
  async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(id, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    }
  }

  listBuckets(): BucketInfo[] {
    return [...this.buckets.values()].map((b) => b.info).sort((a, b) => compareKeys(a.name, b.name));
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  async createBucket(name: string): Promise<boolean> {
    return this.withLock(`bucket:${name}`, async () => {
      if (this.buckets.has(name)) return false;
      const info: BucketInfo = { name, creationDate: new Date().toISOString() };
      await mkdir(join(this.root, name, 'objects'), { recursive: true });
      await writeFileDurably(join(this.root, name, 'bucket.json'), JSON.stringify(info));
      await syncDir(this.root);
      this.buckets.set(name, { info, objects: new Map(), sorted: undefined });
      return true;
    });
  }

  async deleteBucket(name: string): Promise<'deleted' | 'missing' | 'not-empty'> {
    return this.withLock(`bucket:${name}`, async () => {
      const state = this.buckets.get(name);
      if (!state) return 'missing';
      if (state.objects.size > 0) return 'not-empty';
      this.buckets.delete(name);
      await rm(join(this.root, name), { recursive: true, force: true });
      return 'deleted';
    });
  }

  getObject(bucket: string, key: string): ObjectMeta | undefined {
    return this.buckets.get(bucket)?.objects.get(key);
  }

  /** Keys of a bucket in S3 order. */
  sortedKeys(bucket: string): string[] {
    const state = this.buckets.get(bucket);
    if (!state) return [];
    state.sorted ??= [...state.objects.keys()].sort(compareKeys);
    return state.sorted;
  }

  private objectsDir(bucket: string): string {
    return join(this.root, bucket, 'objects');
  }

  dataPath(bucket: string, meta: ObjectMeta): string {
    return join(this.objectsDir(bucket), meta.dataFile);
  }

  /**
   * Moves a fully written (and fsynced) temporary file into place as the object's bytes and
   * commits the metadata. Resolves once both are durable.
   */
  async commitObject(bucket: string, key: string, tmpFile: string, meta: NewObjectMeta): Promise<ObjectMeta> {
    return this.withLock(`object:${bucket}\n${key}`, async () => {
      const state = this.buckets.get(bucket);
      if (!state) throw new Error(`bucket ${bucket} vanished`);
      const dir = this.objectsDir(bucket);
      const hash = keyHash(key);
      const dataFile = `${hash}.${randomUUID()}.data`;
      await rename(tmpFile, join(dir, dataFile));
      const full: ObjectMeta = { ...meta, key, dataFile, lastModified: new Date().toISOString() };
      await writeFileDurably(join(dir, `${hash}.json`), JSON.stringify(full));
      await syncDir(dir);
      const previous = state.objects.get(key);
      state.objects.set(key, full);
      if (!previous) state.sorted = undefined;
      if (previous) await rm(join(dir, previous.dataFile), { force: true });
      return full;
    });
  }

  /** Removes an object; returns false if there was none. */
  async deleteObject(bucket: string, key: string): Promise<boolean> {
    return this.withLock(`object:${bucket}\n${key}`, async () => {
      const state = this.buckets.get(bucket);
      const previous = state?.objects.get(key);
      if (!state || !previous) return false;
      const dir = this.objectsDir(bucket);
      await unlink(join(dir, `${keyHash(key)}.json`));
      await syncDir(dir);
      state.objects.delete(key);
      state.sorted = undefined;
      await rm(join(dir, previous.dataFile), { force: true });
      return true;
    });
  }

  readStream(bucket: string, meta: ObjectMeta, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.dataPath(bucket, meta), range);
  }

  async readAll(bucket: string, meta: ObjectMeta): Promise<Uint8Array> {
    // A Buffer is a Uint8Array: no copy of the whole object.
    return readFile(this.dataPath(bucket, meta));
  }

  /** Copies an object's bytes into a new temporary file (for CopyObject). */
  async copyToTemp(bucket: string, meta: ObjectMeta): Promise<string> {
    const tmp = this.tempPath();
    await copyFile(this.dataPath(bucket, meta), tmp);
    const handle = await open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return tmp;
  }

  // ---- multipart uploads: <dataDir>/uploads/<uploadId>/{upload.json, <n>.part, <n>.json}

  async createUpload(info: Omit<UploadInfo, 'uploadId' | 'initiated'>): Promise<UploadInfo> {
    const upload: UploadInfo = {
      ...info,
      uploadId: randomUUID().replace(/-/g, ''),
      initiated: new Date().toISOString(),
    };
    const dir = join(this.uploadsDir, upload.uploadId);
    await mkdir(dir, { recursive: true });
    await writeFileDurably(join(dir, 'upload.json'), JSON.stringify(upload));
    return upload;
  }

  async getUpload(uploadId: string): Promise<UploadInfo | undefined> {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) return undefined;
    try {
      return JSON.parse(await readFile(join(this.uploadsDir, uploadId, 'upload.json'), 'utf8')) as UploadInfo;
    } catch {
      return undefined;
    }
  }

  async putPart(uploadId: string, part: PartInfo, tmpFile: string): Promise<void> {
    const dir = join(this.uploadsDir, uploadId);
    await rename(tmpFile, join(dir, `${part.partNumber}.part`));
    await writeFileDurably(join(dir, `${part.partNumber}.json`), JSON.stringify(part));
  }

  async getPart(uploadId: string, partNumber: number): Promise<PartInfo | undefined> {
    try {
      return JSON.parse(
        await readFile(join(this.uploadsDir, uploadId, `${partNumber}.json`), 'utf8'),
      ) as PartInfo;
    } catch {
      return undefined;
    }
  }

  partPath(uploadId: string, partNumber: number): string {
    return join(this.uploadsDir, uploadId, `${partNumber}.part`);
  }

  async deleteUpload(uploadId: string): Promise<void> {
    await rm(join(this.uploadsDir, uploadId), { recursive: true, force: true });
  }
}
