/**
 * The label counts' infrastructure (infra/constructs/label-counts.ts): the labels table streams
 * new and old images, count-labels' live alias reads only IMAGE items from it in tumbling
 * windows, one batch per shard at a time, a batch that fails every retry is reported to a queue
 * of its own, and alarms say when the counts fall behind or miss a batch.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../infra/config/stage-config';
import { type SynthResult, synthStage } from '../support/synth';

describe('label counts from the table stream (prod)', () => {
  let prod: SynthResult;
  beforeAll(() => {
    prod = synthStage('prod');
  });

  it('streams new and old images of the labels table', () => {
    prod.storage.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it("feeds count-labels' live alias with IMAGE items in tumbling windows, one batch per shard, failures reported", () => {
    const { windowSeconds, batchSize } = loadStageConfig('prod').labelCounts;
    const mappings = Object.values(
      prod.pipeline.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { TumblingWindowInSeconds: Match.anyValue() },
      }),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      TumblingWindowInSeconds: windowSeconds,
      BatchSize: batchSize,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: false,
      MaximumRetryAttempts: 10,
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { sk: { S: ['IMAGE'] } } } }) }],
      },
      DestinationConfig: { OnFailure: { Destination: expect.anything() } },
    });
    expect(JSON.stringify(mappings[0]?.Properties.DestinationConfig)).toContain('LabelCountsFailures');
    // The alias ARN (function ARN and `:live`): a canary splits the windows too.
    expect(JSON.stringify(mappings[0]?.Properties.FunctionName)).toMatch(
      /"Ref":"CountLabelsLive\w+"\}.*":live"/,
    );
  });

  it('alarms when a batch failed every retry, from a queue of its own, encrypted and TLS only', () => {
    prod.pipeline.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    const alarms = Object.values(
      prod.pipeline.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'ApproximateNumberOfMessagesVisible' },
      }),
    );
    expect(JSON.stringify(alarms)).toContain('LabelCountsFailures');
  });

  it("alarms when count-labels reads the stream later than the stage's limit", () => {
    prod.pipeline.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Threshold: loadStageConfig('prod').alarms.labelCountsLagSeconds * 1000,
      Dimensions: Match.arrayWith([Match.objectLike({ Name: 'Resource' })]),
    });
  });
});
