import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { createS3Service, type S3EventRecord, type S3Service } from '../../../local/s3';
import type { CorsRule } from '../../../local/s3/cors';

export interface Harness {
  service: S3Service;
  server: Server;
  endpoint: string;
  dataDir: string;
  events: S3EventRecord[];
  /** Method, URL and headers of every request the endpoint received. */
  requests: { method: string; url: string; headers: IncomingHttpHeaders }[];
  client(config?: Partial<S3ClientConfig>): S3Client;
  close(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'local-s3-test-'));
}

/** Starts the S3 service behind a node:http server on a free port of 127.0.0.1. */
export async function startS3(
  options: { dataDir?: string; buckets?: string[]; cors?: Record<string, readonly CorsRule[]> } = {},
): Promise<Harness> {
  const dataDir = options.dataDir ?? tempDataDir();
  const events: S3EventRecord[] = [];
  const requests: Harness['requests'] = [];
  const service = await createS3Service({
    dataDir,
    buckets: options.buckets ?? ['photos'],
    ...(options.cors ? { cors: options.cors } : {}),
    onObjectEvent: (record) => {
      events.push(record);
    },
  });
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    service.handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  return {
    service,
    server,
    endpoint,
    dataDir,
    events,
    requests,
    client(config = {}) {
      const client = new S3Client({
        endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'any-secret' },
        ...config,
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
    },
  };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
