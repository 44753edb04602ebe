import {
  AccessDeniedException,
  DetectLabelsCommand,
  ImageTooLargeException,
  InternalServerError,
  InvalidImageFormatException,
  InvalidS3ObjectException,
  LimitExceededException,
  ProvisionedThroughputExceededException,
  RekognitionClient,
  RekognitionServiceException,
  ThrottlingException,
} from '@aws-sdk/client-rekognition';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { detectLabels } from '../../../functions/adapters/rekognition-labeler';
import {
  ImageRejectedError,
  RekognitionThrottledError,
  RekognitionUnavailableError,
} from '../../../functions/core/errors';
import type { ObjectRef } from '../../../functions/core/workflow-schemas';

const rekognitionMock = mockClient(RekognitionClient);
const client = new RekognitionClient({ region: 'us-east-1' });

const object: ObjectRef = {
  bucket: 'uploads-bucket',
  key: 'albums/dog on beach.jpg',
  versionId: 'v1',
  eTag: 'etag1',
  size: 5000,
  sequencer: '00AA',
};
const settings = { minConfidence: 70, maxLabels: 25 };
const now = () => new Date('2024-06-01T12:00:00.000Z');

beforeEach(() => {
  rekognitionMock.reset();
});

describe('detectLabels', () => {
  it('asks Rekognition for the pinned S3 object version with the settings', async () => {
    rekognitionMock.on(DetectLabelsCommand).resolves({ Labels: [], LabelModelVersion: '3.0' });

    await detectLabels(client, object, settings, now);

    expect(rekognitionMock.commandCalls(DetectLabelsCommand)).toHaveLength(1);
    expect(rekognitionMock.commandCalls(DetectLabelsCommand)[0]?.args[0].input).toEqual({
      Image: { S3Object: { Bucket: 'uploads-bucket', Name: 'albums/dog on beach.jpg', Version: 'v1' } },
      MinConfidence: 70,
      MaxLabels: 25,
    });
  });

  it('omits Version for an unversioned object', async () => {
    rekognitionMock.on(DetectLabelsCommand).resolves({ Labels: [] });
    const { versionId: _unused, ...unversioned } = object;

    await detectLabels(client, unversioned, settings, now);

    expect(rekognitionMock.commandCalls(DetectLabelsCommand)[0]?.args[0].input.Image).toEqual({
      S3Object: { Bucket: 'uploads-bucket', Name: 'albums/dog on beach.jpg' },
    });
  });

  it('maps the answer to labels with parents, categories, aliases and instance boxes', async () => {
    rekognitionMock.on(DetectLabelsCommand).resolves({
      LabelModelVersion: '3.0',
      Labels: [
        {
          Name: 'Beach',
          Confidence: 88.12345,
          Parents: [{ Name: 'Nature' }, { Name: 'Outdoors' }],
          Categories: [{ Name: 'Nature and Outdoors' }],
          Aliases: [],
          Instances: [],
        },
        {
          Name: 'Dog',
          Confidence: 97.51234,
          Parents: [{ Name: 'Animal' }, { Name: 'Mammal' }, { Name: 'Pet' }],
          Categories: [{ Name: 'Animals and Pets' }],
          Aliases: [{ Name: 'Canine' }],
          Instances: [
            {
              Confidence: 96.4,
              BoundingBox: { Left: 0.123456, Top: 0.2, Width: 0.33333333, Height: 0.5 },
            },
          ],
        },
      ],
    });

    const detection = await detectLabels(client, object, settings, now);

    expect(detection).toEqual({
      labelModelVersion: '3.0',
      settings: { minConfidence: 70, maxLabels: 25 },
      detectedAt: '2024-06-01T12:00:00.000Z',
      labels: [
        {
          name: 'Dog',
          confidence: 97.512,
          parents: ['Animal', 'Mammal', 'Pet'],
          categories: ['Animals and Pets'],
          aliases: ['Canine'],
          instances: [{ confidence: 96.4, box: { left: 0.1235, top: 0.2, width: 0.3333, height: 0.5 } }],
        },
        {
          name: 'Beach',
          confidence: 88.123,
          parents: ['Nature', 'Outdoors'],
          categories: ['Nature and Outdoors'],
          aliases: [],
          instances: [],
        },
      ],
    });
  });

  it('reports an unknown model version when Rekognition gives none', async () => {
    rekognitionMock.on(DetectLabelsCommand).resolves({});

    const detection = await detectLabels(client, object, settings, now);

    expect(detection.labelModelVersion).toBe('unknown');
    expect(detection.labels).toEqual([]);
  });

  it.each([
    ['ThrottlingException', () => new ThrottlingException({ message: 'Slow down', $metadata: {} })],
    [
      'ProvisionedThroughputExceededException',
      () => new ProvisionedThroughputExceededException({ message: 'Slow down', $metadata: {} }),
    ],
    ['LimitExceededException', () => new LimitExceededException({ message: 'Slow down', $metadata: {} })],
  ])('turns %s into RekognitionThrottled', async (name, make) => {
    rekognitionMock.on(DetectLabelsCommand).rejects(make());

    const promise = detectLabels(client, object, settings, now);

    await expect(promise).rejects.toBeInstanceOf(RekognitionThrottledError);
    await expect(promise).rejects.toMatchObject({ name: 'RekognitionThrottled' });
    await expect(promise).rejects.toThrow(name);
  });

  it('turns InternalServerError into RekognitionUnavailable', async () => {
    rekognitionMock
      .on(DetectLabelsCommand)
      .rejects(new InternalServerError({ message: 'oops', $metadata: { httpStatusCode: 500 } }));

    await expect(detectLabels(client, object, settings, now)).rejects.toMatchObject({
      name: 'RekognitionUnavailable',
    });
  });

  it('turns any other 5xx into RekognitionUnavailable', async () => {
    rekognitionMock.on(DetectLabelsCommand).rejects(
      new RekognitionServiceException({
        name: 'ServiceUnavailable',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
      }),
    );

    await expect(detectLabels(client, object, settings, now)).rejects.toBeInstanceOf(
      RekognitionUnavailableError,
    );
  });

  it.each([
    ['InvalidImageFormatException', () => new InvalidImageFormatException({ message: 'bad', $metadata: {} })],
    ['ImageTooLargeException', () => new ImageTooLargeException({ message: 'big', $metadata: {} })],
    ['InvalidS3ObjectException', () => new InvalidS3ObjectException({ message: 'gone', $metadata: {} })],
  ])('turns %s into ImageRejected (REJECTED_BY_LABEL_SERVICE)', async (name, make) => {
    rekognitionMock.on(DetectLabelsCommand).rejects(make());

    const promise = detectLabels(client, object, settings, now);

    await expect(promise).rejects.toBeInstanceOf(ImageRejectedError);
    await expect(promise).rejects.toMatchObject({
      name: 'ImageRejected',
      reason: 'REJECTED_BY_LABEL_SERVICE',
    });
    await expect(promise).rejects.toThrow(`REJECTED_BY_LABEL_SERVICE: Rekognition: ${name}`);
  });

  it('passes other client errors through unchanged', async () => {
    const denied = new AccessDeniedException({ message: 'no', $metadata: { httpStatusCode: 403 } });
    rekognitionMock.on(DetectLabelsCommand).rejects(denied);

    await expect(detectLabels(client, object, settings, now)).rejects.toBe(denied);
  });
});

describe('the label filters of the feature flags in DetectLabels', () => {
  it('passes only the filters that are set, as Settings.GeneralLabels, and records what was used', async () => {
    rekognitionMock.on(DetectLabelsCommand).resolves({ Labels: [], LabelModelVersion: '3.0' });
    const filtered = {
      ...settings,
      includeLabels: ['Dog'],
      excludeCategories: ['Text and Documents'],
      flagsVersion: 'v9',
      flagsSource: 'appconfig' as const,
    };

    const detection = await detectLabels(client, object, filtered);

    expect(rekognitionMock.commandCalls(DetectLabelsCommand)[0]?.args[0].input).toMatchObject({
      MinConfidence: 70,
      MaxLabels: 25,
      Settings: {
        GeneralLabels: {
          LabelInclusionFilters: ['Dog'],
          LabelCategoryExclusionFilters: ['Text and Documents'],
        },
      },
    });
    expect(detection.settings).toEqual({
      minConfidence: 70,
      maxLabels: 25,
      includeLabels: ['Dog'],
      excludeLabels: [],
      includeCategories: [],
      excludeCategories: ['Text and Documents'],
      flagsVersion: 'v9',
      flagsSource: 'appconfig',
    });
  });
});
