/**
 * `npm run backfill:images-index`: gives the image records written before the images index
 * (gsi2, the newest-first list of `GET /images`) existed their entry in it. Run it once after
 * upgrading a stage that already holds images; records written since carry the entry, and a
 * second run finds nothing to do (functions/adapters/dynamodb/images-index-backfill.ts). The local cloud
 * does this itself when it migrates an older data dir.
 *
 *   npm run backfill:images-index -- --table image-labeling-dev-labels   # AWS, default credentials
 *   npm run backfill:images-index -- --table T --segments 4              # a parallel Scan
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { backfillImagesIndex } from '../functions/adapters/dynamodb/images-index-backfill';

const { values } = parseArgs({
  options: { table: { type: 'string' }, segments: { type: 'string', default: '1' } },
});
const options = z
  .object({
    table: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name, e.g. image-labeling-dev-labels'),
    segments: z.coerce.number().int().min(1).max(64),
  })
  .safeParse(values);
if (!options.success) {
  console.error(
    `Usage: npm run backfill:images-index -- --table <labels table> [--segments 1-64]\n${z.prettifyError(options.error)}`,
  );
  process.exit(2);
}
const { table, segments } = options.data;
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 8 }));
const started = performance.now();
const results = await Promise.all(
  Array.from({ length: segments }, (_, segment) =>
    backfillImagesIndex({ db, tableName: table }, segments > 1 ? { segment, totalSegments: segments } : {}),
  ),
);
const found = results.reduce((sum, result) => sum + result.found, 0);
const indexed = results.reduce((sum, result) => sum + result.indexed, 0);
console.log(
  `${table}: ${found} image records lacked an index entry; ${indexed} added, ${found - indexed} rewritten meanwhile (they carry their own). ${((performance.now() - started) / 1000).toFixed(1)} s.`,
);
db.destroy();
