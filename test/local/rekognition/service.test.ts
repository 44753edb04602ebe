import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DetectLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCenterNetModel, type LabelModel } from '../../../local/rekognition/model';
import { createRekognitionService, type RekognitionService } from '../../../local/rekognition/service';

const photo = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/photos/${name}`, import.meta.url));

/** A PNG header claiming 10001 x 10 pixels, with no pixel data. */
function hugePngHeader(): Buffer {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write('IHDR', 12, 'ascii');
  bytes.writeUInt32BE(10001, 16);
  bytes.writeUInt32BE(10, 20);
  bytes.set([8, 2, 0, 0, 0], 24);
  return bytes;
}

const objects = new Map<string, Uint8Array>([['photos/coffee.png', photo('coffee.png')]]);
let modelCalls = 0;
let real: LabelModel;
let service: RekognitionService;
let server: Server;
let endpoint: string;
let client: RekognitionClient;

const detect = (
  input: Omit<ConstructorParameters<typeof DetectLabelsCommand>[0], 'Image'> & { image: Buffer },
) => {
  const { image, ...rest } = input;
  return client.send(new DetectLabelsCommand({ Image: { Bytes: image }, ...rest }));
};

beforeAll(async () => {
  // the real CenterNet model in a worker thread, wrapped to count what reaches it
  real = createCenterNetModel();
  const model: LabelModel = {
    version: real.version,
    detect: (bytes) => {
      modelCalls += 1;
      return real.detect(bytes);
    },
    warmUp: () => real.warmUp(),
    close: () => real.close(),
  };
  service = createRekognitionService({
    model,
    readObject: async (bucket, key) => {
      const body = objects.get(`${bucket}/${key}`);
      if (!body) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
      return body;
    },
  });
  await service.warmUp();
  server = createServer(service.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new RekognitionClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await service?.close();
});

describe('local Rekognition DetectLabels through @aws-sdk/client-rekognition', () => {
  it('labels astronaut.png with a Person instance and its bounding box', async () => {
    const out = await detect({ image: photo('astronaut.png'), MinConfidence: 60 });
    const person = out.Labels?.find((l) => l.Name === 'Person');
    expect(out.LabelModelVersion).toBe('local-centernet-coco-1.0');
    expect(person?.Confidence).toBeGreaterThan(90);
    const box = person?.Instances?.[0]?.BoundingBox;
    expect(box?.Width).toBeGreaterThan(0.3);
    expect(box?.Height).toBeGreaterThan(0.5);
    for (const v of [box?.Left, box?.Top, box?.Width, box?.Height]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('labels coffee.png with Cup, also when read from S3Object', async () => {
    const fromBytes = await detect({ image: photo('coffee.png') });
    const fromS3 = await client.send(
      new DetectLabelsCommand({ Image: { S3Object: { Bucket: 'photos', Name: 'coffee.png' } } }),
    );
    expect(fromBytes.Labels?.map((l) => l.Name)).toContain('Cup');
    expect(fromS3.Labels).toEqual(fromBytes.Labels);
  });

  it('answers InvalidImageFormatException for a truncated JPEG and for a text file', async () => {
    await expect(detect({ image: photo('truncated.jpg') })).rejects.toMatchObject({
      name: 'InvalidImageFormatException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(detect({ image: Buffer.from('this is not an image\n') })).rejects.toMatchObject({
      name: 'InvalidImageFormatException',
    });
  });

  it("reports the model's usage: each image it answered and its own time on it, not failed images", async () => {
    const before = real.usage?.() ?? { inferences: -1, inferenceMs: -1 };
    await detect({ image: photo('coffee.png') });
    await expect(detect({ image: photo('truncated.jpg') })).rejects.toMatchObject({
      name: 'InvalidImageFormatException',
    });
    const after = real.usage?.() ?? { inferences: -1, inferenceMs: -1 };
    expect(after.inferences).toBe(before.inferences + 1);
    expect(after.inferenceMs).toBeGreaterThan(before.inferenceMs);
  });

  it('answers ImageTooLargeException for a 10001x10 PNG header without decoding it', async () => {
    const before = modelCalls;
    await expect(detect({ image: hugePngHeader() })).rejects.toMatchObject({
      name: 'ImageTooLargeException',
    });
    expect(modelCalls).toBe(before);
  });

  it('answers InvalidS3ObjectException for a missing object and InvalidParameterException for bad limits', async () => {
    await expect(
      client.send(new DetectLabelsCommand({ Image: { S3Object: { Bucket: 'photos', Name: 'nope.png' } } })),
    ).rejects.toMatchObject({ name: 'InvalidS3ObjectException' });
    await expect(detect({ image: photo('coffee.png'), MinConfidence: 150 })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('throttles the next call with throttleNext: 1, then succeeds', async () => {
    service.faults.set({ throttleNext: 1 });
    const first = await detect({ image: photo('coffee.png') }).catch((err: unknown) => err);
    const second = await detect({ image: photo('coffee.png') });
    expect(first).toMatchObject({ name: 'ThrottlingException' });
    expect(second.Labels?.length).toBeGreaterThan(0);
  });

  it('injects InternalServerError (500) and ProvisionedThroughputExceededException by rate', async () => {
    service.faults.set({ internalErrorRate: 1 });
    const internal = await detect({ image: photo('coffee.png') }).catch((err: unknown) => err);
    service.faults.set({ internalErrorRate: 0, provisionedThroughputRate: 1 });
    const provisioned = await detect({ image: photo('coffee.png') }).catch((err: unknown) => err);
    service.faults.reset();
    expect(internal).toMatchObject({ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
    expect(provisioned).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });

  it('counts calls by outcome', () => {
    const { calls, byOutcome } = service.stats();
    expect(byOutcome.ThrottlingException).toBeGreaterThanOrEqual(1);
    expect(byOutcome.ImageTooLargeException).toBeGreaterThanOrEqual(1);
    expect(byOutcome.Success).toBeGreaterThanOrEqual(4);
    expect(calls).toBe(Object.values(byOutcome).reduce((a, b) => a + b, 0));
  });
});

describe('local Rekognition endpoint (raw JSON 1.1 protocol)', () => {
  it('answers UnknownOperationException (400) for other targets, with x-amzn-ErrorType', async () => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'RekognitionService.DetectFaces',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await res.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('returns DetectLabels as application/x-amz-json-1.1 for base64 Bytes', async () => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'RekognitionService.DetectLabels',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: JSON.stringify({ Image: { Bytes: photo('astronaut.png').toString('base64') }, MaxLabels: 1 }),
    });
    const body = (await res.json()) as { Labels: { Name: string; Aliases: unknown[] }[] };
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(body.Labels).toEqual([expect.objectContaining({ Name: 'Person', Aliases: [] })]);
  });

  it('answers SerializationException for a body that is not JSON', async () => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'RekognitionService.DetectLabels' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'SerializationException' });
  });
});
