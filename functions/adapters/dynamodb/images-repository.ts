/**
 * The ImagesRepository of the labels API (functions/core/api/ports.ts) over the labels table:
 * the reads of ./labels-query.ts and the removal of ./image-removal.ts.
 */
import type { ImagesRepository } from '../../core/api/ports';
import { removeImageRecords } from './image-removal';
import { getImageRecord, queryImagesByLabel, queryLabelCounts, queryLatestImages } from './labels-query';
import type { TableRef } from './table-ref';

export function dynamoImagesRepository(table: TableRef): ImagesRepository {
  return {
    get: (key) => getImageRecord(table, key),
    byLabel: (query) => queryImagesByLabel(table, query),
    latest: (query) => queryLatestImages(table, query),
    labelCounts: (query) => queryLabelCounts(table, query),
    // An API deletion is not an S3 event: no sequencer or version limits it, the whole key goes.
    remove: (key, announcer) => removeImageRecords(table, key, {}, announcer),
  };
}
