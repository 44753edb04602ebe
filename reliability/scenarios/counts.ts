/**
 * The label counts converge: images are labeled while S3 delivers every event twice, then some
 * are relabeled (uploaded again with other content) and some deleted, by S3 and by the API;
 * the counts GET /labels reads must then equal the records' labels, each image counted once.
 */
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { photo } from '../../test/support/images';
import { Harness, type ScenarioResult, tally } from '../harness';
import { countsProblems, waitForCountsToConverge } from '../label-counts';

const PHOTOS = ['astronaut.png', 'coffee.png', 'chelsea.png', 'rocket.jpg', 'brick.png'];
const photoAt = (index: number) => PHOTOS[index % PHOTOS.length] ?? 'coffee.png';

export async function counts(images = 15): Promise<ScenarioResult> {
  const harness = await Harness.start({ faults: { duplicateEvents: 2 } });
  try {
    const keys = Array.from({ length: images }, (_, index) => `counts/${index}`);
    await Promise.all(keys.map((key, index) => harness.upload(key, photo(photoAt(index)))));
    let records = await harness.waitForFinal(keys, 120_000);
    // Relabel a third of them: the same key, another photo (a new version, other labels).
    const relabeled = keys.filter((_, index) => index % 3 === 0);
    const before = new Map(relabeled.map((key) => [key, records.get(key)?.objectVersion]));
    await Promise.all(relabeled.map((key, index) => harness.upload(key, photo(photoAt(index * 3 + 1)))));
    // Delete others: through S3 (an ObjectRemoved event) and through the API. Not a key being
    // relabeled: a deletion racing the upload before it is another matter (docs/reliability.md).
    const deleted = keys.filter((key, index) => index % 5 === 4 && !relabeled.includes(key));
    const [viaApi, ...viaS3] = deleted;
    await Promise.all(
      viaS3.map((key) =>
        harness.s3.send(new DeleteObjectCommand({ Bucket: harness.cloud.info.bucket, Key: key })),
      ),
    );
    if (viaApi) await deleteThroughApi(harness, viaApi);
    await harness.drain(120_000);
    records = await harness.waitForFinal(
      keys.filter((key) => !deleted.includes(key)),
      60_000,
    );
    const problems = relabeled
      .filter((key) => records.get(key)?.objectVersion === before.get(key))
      .map((key) => `${key} was not relabeled`);
    for (const key of deleted) if (await harness.record(key)) problems.push(`${key} still has a record`);
    const check = await waitForCountsToConverge(harness.db, harness.cloud.info.tableName, 30_000);
    problems.push(...countsProblems(check, 'within 30 s'));
    const result = tally('label counts (x2 events, relabels, deletes)', records, {
      rekognitionCalls: harness.rekognitionSuccesses(),
      dlqMessages: await harness.deadLetterCount(),
      problems,
    });
    return {
      ...result,
      notes: `${relabeled.length} relabeled, ${deleted.length} deleted; ${check.labels} labels counted, matching the records ${check.seconds.toFixed(1)} s after the queue drained`,
    };
  } finally {
    await harness.stop();
  }
}

/** DELETE /images/{key} with a token of the local sign-in service, as the console does. */
async function deleteThroughApi(harness: Harness, key: string): Promise<void> {
  const token = await harness.cloud.issuer.mint();
  const response = await fetch(`${harness.cloud.info.endpoints.api}/images/${encodeURIComponent(key)}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });
  if (response.status !== 204) throw new Error(`DELETE ${key} answered ${response.status}`);
}
