/** The API's images bucket against the local S3 endpoint: HeadObject says whether a key exists, DeleteObject removes it. */
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ImageBucket } from '../../../functions/adapters/s3-image-bucket';
import { type Harness, removeDir, startS3 } from '../../local/s3/helpers';

let harness: Harness;
let client: S3Client;

beforeAll(async () => {
  harness = await startS3({ buckets: ['images'] });
  client = harness.client();
});

afterAll(async () => {
  if (harness) {
    await harness.close();
    await removeDir(harness.dataDir);
  }
});

const put = (key: string) => client.send(new PutObjectCommand({ Bucket: 'images', Key: key, Body: 'x' }));

describe('s3ImageBucket', () => {
  it('finds an uploaded key, and not an unknown one', async () => {
    await put('albums/a b+c.png');
    const bucket = s3ImageBucket(() => client, 'images');
    expect(await bucket.exists('albums/a b+c.png')).toBe(true);
    expect(await bucket.exists('albums/other.png')).toBe(false);
  });

  it('removes a key, after which it no longer exists; removing it again is no error', async () => {
    await put('gone.png');
    const bucket = s3ImageBucket(() => client, 'images');
    await bucket.remove('gone.png');
    expect(await bucket.exists('gone.png')).toBe(false);
    await expect(bucket.remove('gone.png')).resolves.toBeUndefined();
  });

  it('asks for its client only when a key is first looked up or removed', async () => {
    let built = 0;
    const bucket = s3ImageBucket(() => {
      built += 1;
      return client;
    }, 'images');
    expect(built).toBe(0);
    await put('lazy.png');
    expect(await bucket.exists('lazy.png')).toBe(true);
    await bucket.remove('lazy.png');
    expect(built).toBe(2);
  });

  it('lets any other failure of HeadObject through', async () => {
    // A mock: the local endpoint grants every request, so it cannot refuse one with a 403.
    const refusing = new S3Client({ region: 'eu-west-1' });
    const denied = new S3ServiceException({
      name: 'Forbidden',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
    });
    mockClient(refusing).onAnyCommand().rejects(denied);
    await expect(s3ImageBucket(() => refusing, 'images').exists('a.png')).rejects.toBe(denied);
  });
});
