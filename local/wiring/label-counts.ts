/**
 * The label counts, as the stage's stack keeps them: count-labels fed by the labels table's
 * stream through a tumbling-window event source mapping (local/dynamodb/stream-mapping.ts), with the
 * stage's window and batch size.
 */
import { FUNCTIONS, type FunctionContext } from '../../infra/config/functions';
import type { LocalStream } from '../dynamodb/change-stream';
import { createStreamEventSourceMapping } from '../dynamodb/stream-mapping';
import type { FunctionHost } from './functions';
import type { LogLine, Stopper } from './names';

export function startLabelCounts(options: {
  host: FunctionHost;
  context: FunctionContext;
  stream: LocalStream;
  onLog: LogLine;
  stoppers: Stopper[];
}) {
  const { host, context, stream, onLog, stoppers } = options;
  const countLabels = host.make(FUNCTIONS.countLabels, context);
  const { windowSeconds, batchSize } = context.config.labelCounts;
  const mapping = createStreamEventSourceMapping({
    stream,
    invoke: (event) => countLabels.invoke(event),
    batchSize,
    // As on AWS (infra/stacks/pipeline-stack.ts): batches gather for up to a window.
    maximumBatchingWindowMs: windowSeconds * 1000,
    tumblingWindowSeconds: windowSeconds,
    onError: (error) => onLog('label-counts-stream', `window failed, retried: ${String(error)}`),
  });
  mapping.start();
  stoppers.push(() => mapping.stop());
  return { countLabels, mapping };
}
