/**
 * The journal behind a durable local queue: every state change is appended to `<dir>/<name>.journal`
 * (one JSON record per line) and fsync'd before the call returns. On open the journal is replayed (a
 * torn last line from a crash is ignored) and rewritten compactly (temp file, fsync, rename, fsync of
 * the directory).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type JournalRecord, SqsError, type StoredMessage } from './queue-types';

/** A queue's messages as its journal last wrote them, and the open journal file. */
export interface Journal {
  readonly queueName: string;
  readonly dir: string;
  readonly path: string;
  readonly messages: Map<string, StoredMessage>;
  fd: number;
  records: number;
  closed: boolean;
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some platforms (Windows) cannot fsync a directory
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function apply(messages: Map<string, StoredMessage>, record: JournalRecord): void {
  switch (record.op) {
    case 'send':
      messages.set(record.m.id, record.m);
      break;
    case 'recv': {
      const m = messages.get(record.id);
      if (m) {
        m.receiveCount = record.count;
        m.firstReceiveTs = record.first;
        m.visibleAt = record.visibleAt;
        m.receipt = record.receipt;
      }
      break;
    }
    case 'vis': {
      const m = messages.get(record.id);
      if (m) m.visibleAt = record.visibleAt;
      break;
    }
    case 'del':
      messages.delete(record.id);
      break;
  }
}

function replay(journalPath: string, messages: Map<string, StoredMessage>): void {
  if (!fs.existsSync(journalPath)) return;
  const lines = fs.readFileSync(journalPath, 'utf8').split('\n');
  lines.forEach((line, index) => {
    if (line === '') return;
    let record: JournalRecord;
    try {
      record = JSON.parse(line) as JournalRecord;
    } catch (err) {
      // Only the last line can be torn by a crash during an append; anything else is corruption.
      if (index >= lines.length - 2) return;
      throw new Error(`${journalPath}:${index + 1}: corrupt journal record`, { cause: err });
    }
    apply(messages, record);
  });
}

function compact(journal: Journal): void {
  const tmp = `${journal.path}.tmp`;
  const data = [...journal.messages.values()].map((m) => `${JSON.stringify({ op: 'send', m })}\n`).join('');
  fs.writeFileSync(tmp, data);
  const tmpFd = fs.openSync(tmp, 'r+');
  fs.fsyncSync(tmpFd);
  fs.closeSync(tmpFd);
  if (journal.fd >= 0) fs.closeSync(journal.fd);
  fs.renameSync(tmp, journal.path);
  fsyncDir(journal.dir);
  journal.fd = fs.openSync(journal.path, 'a');
  journal.records = journal.messages.size;
}

/** Replays `<dir>/<queueName>.journal` (if any) and reopens it compacted, for appending. */
export function openJournal(dir: string, queueName: string): Journal {
  fs.mkdirSync(dir, { recursive: true });
  const journal: Journal = {
    queueName,
    dir,
    path: path.join(dir, `${queueName}.journal`),
    messages: new Map(),
    fd: -1,
    records: 0,
    closed: false,
  };
  replay(journal.path, journal.messages);
  compact(journal);
  return journal;
}

/** Appends the records durably, then applies them to the messages. */
export function writeJournal(journal: Journal, records: JournalRecord[]): void {
  if (journal.closed) throw new SqsError('QueueDoesNotExist', `queue ${journal.queueName} is closed`);
  if (records.length === 0) return;
  fs.writeSync(journal.fd, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  fs.fsyncSync(journal.fd);
  for (const r of records) apply(journal.messages, r);
  journal.records += records.length;
  if (journal.records > 1000 && journal.records > 4 * journal.messages.size) compact(journal);
}
