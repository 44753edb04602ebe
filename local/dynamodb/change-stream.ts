/**
 * A DynamoDB stream for the local DynamoDB (dynalite has none): the writes of one table's items
 * that `capture` selects become stream records with their old and new images
 * (NEW_AND_OLD_IMAGES), in Lambda's event format, kept in a durable journal.
 *
 * `captureWrites` wraps the service's request listener. A write (PutItem, UpdateItem, DeleteItem,
 * BatchWriteItem) touching a captured item is serialised per item key: the old items are read,
 * a `pending` line is journaled, the request goes to dynalite unchanged, the new items are read,
 * and a record for each item that changed is journaled with the write's `done`, in one fsync'd
 * append before the client has its answer. A kill between the write and its record leaves the
 * pending line: on open, the item is read again and, if it differs from the old image, the
 * record is written then (the write happened). Writes of other items go straight through, with
 * no extra reads.
 *
 * Only what the label counts need: one shard, no stream API (the local event source mapping
 * reads the journal, local/dynamodb/stream-mapping.ts), no 24-hour trim (records at or before
 * the consumer's checkpoint are dropped when the journal is opened).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

/** A stream record as Lambda delivers it (StreamViewType NEW_AND_OLD_IMAGES). */
export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: '1.1';
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    /** Epoch seconds, with milliseconds. */
    ApproximateCreationDateTime: number;
    Keys: Item;
    NewImage?: Item;
    OldImage?: Item;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: 'NEW_AND_OLD_IMAGES';
  };
  eventSourceARN: string;
}

export interface LocalStream {
  readonly arn: string;
  readonly shardId: string;
  /** Up to `limit` records after `afterSequence` (from the start when undefined), in order. */
  read(afterSequence: string | undefined, limit: number): StreamRecord[];
  /** Called whenever a record is added; returns the unsubscribe function. */
  onRecord(listener: () => void): () => void;
  /** Durably records that the consumer is done with everything up to `sequence`. */
  checkpoint(sequence: string): void;
  checkpointed(): string | undefined;
}

export interface StreamOptions {
  tableName: string;
  /** Where the journal and the checkpoint are kept. */
  dir: string;
  /** Which items' writes become records, by their key attributes. */
  capture: (keys: Item) => boolean;
  keyAttributes: readonly string[];
  region: string;
  accountId: string;
}

/** The one shard of a local stream. */
export const LOCAL_SHARD_ID = 'shardId-00000001700000000000-00000001';
const sequenceOf = (n: number) => String(n).padStart(21, '0');

type JournalLine =
  | { t: 'pending'; id: number; keys: Item[]; old: (Item | null)[] }
  | { t: 'done'; id: number }
  /** `pid` and `k`: the pending write and the index of its item that the record settles. */
  | { t: 'record'; record: StreamRecord; pid?: number; k?: number };

/** JSON with object keys sorted, so two reads of one item compare equal whatever their order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/** Builds the record of one item's change, or none when nothing changed. */
function recordOf(
  options: StreamOptions & { arn: string },
  keys: Item,
  old: Item | null,
  current: Item | null,
  sequence: string,
): StreamRecord | undefined {
  if (canonical(old) === canonical(current)) return undefined;
  const eventName = !old ? 'INSERT' : !current ? 'REMOVE' : 'MODIFY';
  return {
    eventID: `local-${sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: options.region,
    dynamodb: {
      ApproximateCreationDateTime: Date.now() / 1000,
      Keys: keys,
      ...(current ? { NewImage: current } : {}),
      ...(old ? { OldImage: old } : {}),
      SequenceNumber: sequence,
      SizeBytes: JSON.stringify(current ?? old).length,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: options.arn,
  };
}

/** The item keys a write request touches in the table (possibly several: BatchWriteItem). */
function keysOf(operation: string, body: Record<string, unknown>, options: StreamOptions): Item[] {
  const pick = (item: Item) =>
    Object.fromEntries(options.keyAttributes.map((name) => [name, item[name]])) as Item;
  if (operation === 'BatchWriteItem') {
    const requests = (body.RequestItems as Record<string, Record<string, { Item?: Item; Key?: Item }>[]>)?.[
      options.tableName
    ];
    return (requests ?? []).flatMap((request) => {
      const item = request.PutRequest?.Item ?? request.DeleteRequest?.Key;
      return item ? [pick(item)] : [];
    });
  }
  if (body.TableName !== options.tableName) return [];
  const item = (operation === 'PutItem' ? body.Item : body.Key) as Item | undefined;
  return item ? [pick(item)] : [];
}

/** Serialises async work per key: a call waits for every earlier call holding any of its keys. */
function keyLocks() {
  const tails = new Map<string, Promise<void>>();
  return async <T>(keys: string[], work: () => Promise<T>): Promise<T> => {
    const previous = keys.map((key) => tails.get(key) ?? Promise.resolve());
    let release = () => {};
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const key of keys) tails.set(key, done);
    await Promise.all(previous);
    try {
      return await work();
    } finally {
      release();
      for (const key of keys) if (tails.get(key) === done) tails.delete(key);
    }
  };
}

/**
 * Appends lines in one write, fsync'd once: replay ignores a torn last line and knows which items
 * of a pending write have their record, so a kill mid-append needs no flush per line.
 */
function append(fd: number, lines: JournalLine[]): void {
  fs.writeSync(fd, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  fs.fsyncSync(fd);
}

/** The journal's lines; a torn last line (a kill mid-write) is ignored. */
function readJournal(file: string): JournalLine[] {
  if (!fs.existsSync(file)) return [];
  const lines: JournalLine[] = [];
  for (const text of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!text.trim()) continue;
    try {
      lines.push(JSON.parse(text) as JournalLine);
    } catch {
      // a torn line
    }
  }
  return lines;
}

export interface CapturedService {
  handler: http.RequestListener;
  stream: LocalStream;
  close(): Promise<void>;
}

/**
 * Wraps the local DynamoDB's request listener so that writes of the captured items of one table
 * become records of a durable stream. Opens (and recovers) the journal first.
 */
export async function captureWrites(
  inner: http.RequestListener,
  options: StreamOptions,
): Promise<CapturedService> {
  // dynalite behind a private loopback port: the wrapper forwards writes to it and reads items.
  const server = http.createServer(inner);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const client = new DynamoDBClient({
    region: options.region,
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'stream', secretAccessKey: 'stream' },
  });
  const read = async (keys: Item) =>
    (await client.send(new GetItemCommand({ TableName: options.tableName, Key: keys, ConsistentRead: true })))
      .Item ?? null;
  const arn = `arn:aws:dynamodb:${options.region}:${options.accountId}:table/${options.tableName}/stream/local`;
  const journal = await openJournal({ ...options, arn }, read);
  const locks = keyLocks();

  const capture = async (operation: string, body: Buffer, request: http.IncomingMessage) => {
    const keys = keysOf(
      operation,
      JSON.parse(body.toString('utf8')) as Record<string, unknown>,
      options,
    ).filter(options.capture);
    if (keys.length === 0) return forward(port, request, body);
    const names = [...new Set(keys.map((key) => JSON.stringify(key)))].sort();
    return locks(names, async () => {
      const unique = names.map((name) => JSON.parse(name) as Item);
      const old = await Promise.all(unique.map(read));
      const id = journal.pending(unique, old);
      const answer = await forward(port, request, body);
      const current = await Promise.all(unique.map(read));
      journal.settle(id, unique, old, current);
      return answer;
    });
  };

  const handler: http.RequestListener = (request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (!['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].includes(operation)) {
      inner(request, response);
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      capture(operation, Buffer.concat(chunks), request)
        .then(({ status, headers, body }) => {
          response.writeHead(status, headers);
          response.end(body);
        })
        .catch((error: unknown) => {
          response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
          response.end(JSON.stringify({ __type: 'InternalFailure', message: String(error) }));
        });
    });
  };

  return {
    handler,
    stream: journal.stream,
    close: async () => {
      client.destroy();
      journal.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Sends the buffered request to dynalite as it came, and reads the whole answer. */
function forward(
  port: number,
  request: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: '127.0.0.1', port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () =>
          resolve({ status: answer.statusCode ?? 500, headers: answer.headers, body: Buffer.concat(chunks) }),
        );
        answer.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Reads the journal back, writes the records a kill left pending (the item as it is now tells
 * whether the write happened), and rewrites the file with the records after the checkpoint.
 */
async function replay(
  options: StreamOptions & { arn: string },
  file: string,
  read: (keys: Item) => Promise<Item | null>,
  checkpoint: string | undefined,
): Promise<{ records: StreamRecord[]; last: number }> {
  const records: StreamRecord[] = [];
  const pending = new Map<number, Extract<JournalLine, { t: 'pending' }>>();
  let last = Number(checkpoint ?? 0);
  // Which items of a pending write already have their record: a kill may fall between the
  // record lines and the `done` line, and those items must not be recorded twice.
  const recorded = new Set<string>();
  for (const line of readJournal(file)) {
    if (line.t === 'pending') pending.set(line.id, line);
    else if (line.t === 'done') pending.delete(line.id);
    else {
      records.push(line.record);
      if (line.pid !== undefined) recorded.add(`${line.pid}:${line.k}`);
    }
  }
  for (const record of records) last = Math.max(last, Number(record.dynamodb.SequenceNumber));
  for (const entry of pending.values()) {
    for (const [index, keys] of entry.keys.entries()) {
      if (recorded.has(`${entry.id}:${index}`)) continue;
      const record = recordOf(options, keys, entry.old[index] ?? null, await read(keys), sequenceOf(++last));
      if (record) records.push(record);
    }
  }
  const kept = records.filter((record) => !checkpoint || record.dynamodb.SequenceNumber > checkpoint);
  const temporary = `${file}.tmp`;
  fs.writeFileSync(temporary, kept.map((record) => `${JSON.stringify({ t: 'record', record })}\n`).join(''));
  fs.renameSync(temporary, file);
  return { records: kept, last };
}

/**
 * The journal: replays it, writes the records a kill left pending, drops what the consumer is
 * done with (rewriting the file), and keeps appending.
 */
async function openJournal(
  options: StreamOptions & { arn: string },
  read: (keys: Item) => Promise<Item | null>,
) {
  fs.mkdirSync(options.dir, { recursive: true });
  const file = path.join(options.dir, 'stream.journal');
  const checkpointFile = path.join(options.dir, 'checkpoint.json');
  let checkpoint = fs.existsSync(checkpointFile)
    ? (JSON.parse(fs.readFileSync(checkpointFile, 'utf8')) as { sequence?: string }).sequence
    : undefined;
  const replayed = await replay(options, file, read, checkpoint);
  const records = replayed.records;
  let last = replayed.last;
  let nextId = 1;
  const fd = fs.openSync(file, 'a');
  const listeners = new Set<() => void>();

  const stream: LocalStream = {
    arn: options.arn,
    shardId: LOCAL_SHARD_ID,
    read(afterSequence, limit) {
      const start = afterSequence
        ? records.findIndex((record) => record.dynamodb.SequenceNumber > afterSequence)
        : 0;
      return start < 0 ? [] : records.slice(start, start + limit);
    },
    onRecord(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    checkpoint(sequence) {
      fs.writeFileSync(`${checkpointFile}.tmp`, JSON.stringify({ sequence }));
      fs.renameSync(`${checkpointFile}.tmp`, checkpointFile);
      checkpoint = sequence;
      // Records the consumer is done with are no longer read.
      const done = records.findIndex((record) => record.dynamodb.SequenceNumber > sequence);
      records.splice(0, done < 0 ? records.length : done);
    },
    checkpointed: () => checkpoint,
  };
  return {
    stream,
    pending(keys: Item[], old: (Item | null)[]): number {
      const id = nextId++;
      append(fd, [{ t: 'pending', id, keys, old }]);
      return id;
    },
    settle(id: number, keys: Item[], old: (Item | null)[], current: (Item | null)[]): void {
      const lines: JournalLine[] = [];
      const added: StreamRecord[] = [];
      for (const [index, itemKeys] of keys.entries()) {
        const record = recordOf(
          options,
          itemKeys,
          old[index] ?? null,
          current[index] ?? null,
          sequenceOf(last + 1),
        );
        if (!record) continue;
        last++;
        lines.push({ t: 'record', record, pid: id, k: index });
        added.push(record);
      }
      lines.push({ t: 'done', id });
      // Durable before the records can be read and before the client has its answer.
      append(fd, lines);
      records.push(...added);
      for (const listener of listeners) listener();
    },
    close: () => fs.closeSync(fd),
  };
}
