import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';

/**
 * Builds an AWS-shaped execution history (`GetExecutionHistory`) from two sources:
 * - the library's event log (`run().eventLogs`: ExecutionStarted, StateEntered, StateExited, ...);
 * - the Task handlers of ./service, which record what the library cannot see (one
 *   TaskScheduled/TaskStarted/TaskSucceeded|TaskFailed group per Lambda invocation, or the
 *   LambdaFunction* group for the short `"Resource": "<function ARN>"` form).
 *
 * Mapping (library event -> AWS event, with its details key):
 *   ExecutionStarted            -> ExecutionStarted (executionStartedEventDetails {input, roleArn})
 *   StateEntered (type T)       -> <T>StateEntered (stateEnteredEventDetails {name, input});
 *                                  Parallel also ParallelStateStarted, Map also MapStateStarted {length}
 *   [task handler, per attempt] -> TaskScheduled {resourceType 'lambda', resource 'invoke', region,
 *                                  parameters}, TaskStarted, then TaskSucceeded {output} or TaskFailed
 *                                  {error, cause}; short form: LambdaFunctionScheduled/Started/
 *                                  Succeeded/Failed
 *   StateFailed (Task, States.Timeout) -> TaskTimedOut / LambdaFunctionTimedOut
 *   StateFailed (Parallel / Map) -> ParallelStateFailed / MapStateFailed
 *   StateFailed (other)         -> nothing (the error shows in the next event, as on AWS)
 *   StateRetried                -> nothing by itself: as on AWS, a retry is visible as a new
 *                                  TaskScheduled/TaskStarted group after the TaskFailed
 *                                  (Parallel / Map: a new ParallelStateStarted / MapStateStarted)
 *   StateCaught                 -> nothing (the StateExited that follows carries the ResultPath output)
 *   StateExited (type T)        -> <T>StateExited (stateExitedEventDetails {name, output});
 *                                  Parallel / Map preceded by ParallelStateSucceeded / MapStateSucceeded
 *   MapIterationStarted/Succeeded/Failed -> same names (mapIteration...EventDetails {name, index})
 *   ParallelBranch*             -> nothing (AWS has no per-branch events)
 *   ExecutionSucceeded          -> ExecutionSucceeded (executionSucceededEventDetails {output})
 *   ExecutionFailed             -> ExecutionFailed (executionFailedEventDetails {error, cause})
 *   ExecutionTimeout            -> ExecutionTimedOut {error 'States.Timeout'}
 *   ExecutionAborted            -> ExecutionAborted
 * `id` counts from 1; `previousEventId` is simply the previous event's id (AWS points it at the
 * causing event, which is usually, but not always, the previous one).
 */

/** The library's event, reduced to the fields used here (its types are not all exported). */
export interface LibraryEvent {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  index?: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string; type: string; input?: unknown };
}

type Details = Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp' | 'type'>;

const json = (value: unknown): string => JSON.stringify(value ?? null);
const dataDetails = { truncated: false };

function causeText(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
}

/** A running attempt of a Task state, so that a timeout can close it. */
interface PendingAttempt {
  stateName: string;
  short: boolean;
  resource: string;
  settled: boolean;
}

export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private readonly pending: PendingAttempt[] = [];

  constructor(
    private readonly roleArn: string,
    private readonly region: string,
  ) {}

  add(type: HistoryEventType, details: Details = {}, timestamp = new Date()): void {
    const id = this.events.length + 1;
    this.events.push({ timestamp, type, id, previousEventId: id - 1, ...details });
  }

  /** Records the start of one Lambda invocation by a Task state; returns the attempt to settle later. */
  taskStarted(stateName: string, short: boolean, resource: string, parameters: unknown): PendingAttempt {
    if (short) {
      this.add('LambdaFunctionScheduled', {
        lambdaFunctionScheduledEventDetails: { resource, input: json(parameters), inputDetails: dataDetails },
      });
      this.add('LambdaFunctionStarted');
    } else {
      this.add('TaskScheduled', {
        taskScheduledEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          region: this.region,
          parameters: json(parameters),
        },
      });
      this.add('TaskStarted', { taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } });
    }
    const attempt: PendingAttempt = { stateName, short, resource, settled: false };
    this.pending.push(attempt);
    return attempt;
  }

  taskSucceeded(attempt: PendingAttempt, output: unknown): void {
    if (!this.settle(attempt)) return;
    if (attempt.short) {
      this.add('LambdaFunctionSucceeded', {
        lambdaFunctionSucceededEventDetails: { output: json(output), outputDetails: dataDetails },
      });
    } else {
      this.add('TaskSucceeded', {
        taskSucceededEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          output: json(output),
          outputDetails: dataDetails,
        },
      });
    }
  }

  taskFailed(attempt: PendingAttempt, error: string, cause: string): void {
    if (!this.settle(attempt)) return;
    if (attempt.short) {
      this.add('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error, cause } });
    } else {
      this.add('TaskFailed', {
        taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error, cause },
      });
    }
  }

  private settle(attempt: PendingAttempt): boolean {
    if (attempt.settled) return false;
    attempt.settled = true;
    const index = this.pending.indexOf(attempt);
    if (index >= 0) this.pending.splice(index, 1);
    return true;
  }

  private taskTimedOut(stateName: string, error: string, cause: string | undefined): void {
    const attempt = this.pending.find((a) => a.stateName === stateName && !a.settled);
    if (!attempt) return;
    this.settle(attempt);
    if (attempt.short) {
      this.add('LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: { error, cause } });
    } else {
      this.add('TaskTimedOut', {
        taskTimedOutEventDetails: { resourceType: 'lambda', resource: 'invoke', error, cause },
      });
    }
  }

  /** Maps one event of the library's log (see the table above). */
  onLibraryEvent(event: LibraryEvent): void {
    const at = new Date(event.timestamp);
    switch (event.type) {
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'ExecutionTimeout':
      case 'ExecutionAborted':
        this.onExecutionEvent(event, at);
        return;
      case 'StateEntered':
      case 'StateRetried':
      case 'StateFailed':
      case 'StateExited':
        this.onStateEvent(event, at);
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = `mapIteration${event.type.slice('MapIteration'.length)}EventDetails`;
        const details: Record<string, unknown> = { name: event.parentState?.name, index: event.index };
        if (event.type === 'MapIterationFailed') {
          details.error = event.Error;
          details.cause = causeText(event.Cause);
        }
        this.add(event.type, { [key]: details } as Details, at);
        return;
      }
      default:
        // StateCaught, ParallelBranch*: no AWS counterpart (see the table above).
        return;
    }
  }

  private onExecutionEvent(event: LibraryEvent, at: Date): void {
    switch (event.type) {
      case 'ExecutionStarted':
        this.add(
          'ExecutionStarted',
          {
            executionStartedEventDetails: {
              input: json(event.input),
              inputDetails: dataDetails,
              roleArn: this.roleArn,
            },
          },
          at,
        );
        return;
      case 'ExecutionSucceeded':
        this.add(
          'ExecutionSucceeded',
          { executionSucceededEventDetails: { output: json(event.output), outputDetails: dataDetails } },
          at,
        );
        return;
      case 'ExecutionFailed':
        this.add(
          'ExecutionFailed',
          { executionFailedEventDetails: { error: event.Error, cause: causeText(event.Cause) } },
          at,
        );
        return;
      case 'ExecutionTimeout':
        this.add(
          'ExecutionTimedOut',
          { executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'The execution timed out.' } },
          at,
        );
        return;
      case 'ExecutionAborted':
        this.add('ExecutionAborted', { executionAbortedEventDetails: {} }, at);
        return;
    }
  }

  private onStateEvent(event: LibraryEvent, at: Date): void {
    const state = event.state;
    if (!state) return;
    switch (event.type) {
      case 'StateEntered':
        this.add(
          `${state.type}StateEntered` as HistoryEventType,
          {
            stateEnteredEventDetails: {
              name: state.name,
              input: json(state.input),
              inputDetails: dataDetails,
            },
          },
          at,
        );
        this.addStarted(state, at);
        return;
      case 'StateRetried':
        this.addStarted(state, at);
        return;
      case 'StateFailed':
        if (state.type === 'Task' && event.Error === 'States.Timeout') {
          this.taskTimedOut(state.name, event.Error, causeText(event.Cause));
        } else if (state.type === 'Parallel' || state.type === 'Map') {
          this.add(`${state.type}StateFailed` as HistoryEventType, {}, at);
        }
        return;
      case 'StateExited':
        if (state.type === 'Parallel' || state.type === 'Map') {
          this.add(`${state.type}StateSucceeded` as HistoryEventType, {}, at);
        }
        this.add(
          `${state.type}StateExited` as HistoryEventType,
          {
            stateExitedEventDetails: {
              name: state.name,
              output: json(state.output),
              outputDetails: dataDetails,
            },
          },
          at,
        );
        return;
    }
  }

  private addStarted(state: NonNullable<LibraryEvent['state']>, at: Date): void {
    if (state.type === 'Parallel') this.add('ParallelStateStarted', {}, at);
    if (state.type === 'Map') {
      const length = Array.isArray(state.input) ? state.input.length : undefined;
      this.add('MapStateStarted', { mapStateStartedEventDetails: { length } }, at);
    }
  }
}
