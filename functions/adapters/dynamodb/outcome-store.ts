/** The outcome's writes (functions/core/outcome.ts) on the labels table. */
import type { OutcomeStore } from '../../core/outcome';
import { finishVersion, writeImageRecord } from './labels-store';
import type { TableRef } from './table-ref';

export function labelsTableOutcomeStore(table: TableRef): OutcomeStore {
  return {
    writeImageRecord: (record, object) => writeImageRecord(table, record, object),
    finishVersion: (object, status, details) => finishVersion(table, object, status, details),
  };
}
