import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, removeDir, startS3, tempDataDir } from './helpers';

const run = promisify(execFile);
const hasAwsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasAwsCli)('local S3 endpoint with AWS CLI v1 (skipped when `aws` is absent)', () => {
  let s3: Harness;
  let work: string;

  const aws = (...args: string[]) =>
    run('aws', ['--endpoint-url', s3.endpoint, ...args], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'AKIDCLI',
        AWS_SECRET_ACCESS_KEY: 'cli-secret',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: join(work, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
        AWS_PAGER: '',
      },
      maxBuffer: 10 * 1024 * 1024,
    });

  beforeAll(async () => {
    s3 = await startS3({ buckets: ['cli'] });
    work = tempDataDir();
  });

  afterAll(async () => {
    await s3.close();
    await removeDir(s3.dataDir);
    await removeDir(work);
  });

  it('copies a 20 MB file up (multipart) and back byte-identical with `s3 cp`', async () => {
    const data = randomBytes(20 * 1024 * 1024);
    const up = join(work, 'up.bin');
    const down = join(work, 'down.bin');
    await writeFile(up, data);

    await aws('s3', 'cp', up, 's3://cli/big dir/file+1.bin');
    await aws('s3', 'cp', 's3://cli/big dir/file+1.bin', down);

    const back = await readFile(down);
    expect(back.length).toBe(data.length);
    expect(back.equals(data)).toBe(true);
    expect(s3.requests.some((r) => r.method === 'POST' && r.url.includes('?uploads'))).toBe(true);
    const event = s3.events.at(-1);
    expect(event?.eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    expect(event?.s3.object).toMatchObject({ key: 'big+dir/file%2B1.bin', size: data.length });
  }, 60_000);

  it('lists and removes objects with `s3 ls` and `s3 rm`', async () => {
    const small = join(work, 'small.txt');
    await writeFile(small, 'small file');
    await aws('s3', 'cp', small, 's3://cli/small/ü x.txt');
    const { stdout } = await aws('s3', 'ls', 's3://cli/small/');
    await aws('s3', 'rm', 's3://cli/small/ü x.txt');
    expect(stdout).toContain('ü x.txt');
    expect(s3.events.at(-1)).toMatchObject({
      eventName: 'ObjectRemoved:Delete',
      s3: { object: { key: 'small/%C3%BC+x.txt' } },
    });
  }, 60_000);
});
