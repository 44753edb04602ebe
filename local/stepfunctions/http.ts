import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { SfnServiceError, sfnError } from './errors';
import type { StepFunctionsService } from './types';

type Input = Record<string, unknown>;
type Operation = (input: Input) => unknown;

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Reads an optional string member, rejecting other types with a ValidationException. */
function str(input: Input, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw sfnError.validation(`Value at '${key}' must be a string`);
  return value;
}

function required(input: Input, key: string): string {
  const value = str(input, key);
  if (value === undefined) {
    throw sfnError.validation(
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function num(input: Input, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw sfnError.validation(`Value at '${key}' must be a number`);
  return value;
}

/** Dates become epoch seconds (the JSON 1.0 timestamp format); undefined members are dropped. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

function operations(service: StepFunctionsService): Record<string, Operation> {
  return {
    CreateStateMachine: (i) => {
      const type = str(i, 'type');
      return service.createStateMachine({
        name: required(i, 'name'),
        definition: required(i, 'definition'),
        roleArn: str(i, 'roleArn'),
        type: (type ?? 'STANDARD') as 'EXPRESS' | 'STANDARD',
      });
    },
    UpdateStateMachine: (i) =>
      service.updateStateMachine({
        stateMachineArn: required(i, 'stateMachineArn'),
        definition: str(i, 'definition'),
        roleArn: str(i, 'roleArn'),
      }),
    DeleteStateMachine: (i) => {
      service.deleteStateMachine({ stateMachineArn: required(i, 'stateMachineArn') });
      return {};
    },
    DescribeStateMachine: (i) =>
      service.describeStateMachine({ stateMachineArn: required(i, 'stateMachineArn') }),
    ListStateMachines: (i) =>
      service.listStateMachines({ maxResults: num(i, 'maxResults'), nextToken: str(i, 'nextToken') }),
    StartSyncExecution: (i) =>
      service.startSyncExecution({
        stateMachineArn: required(i, 'stateMachineArn'),
        input: str(i, 'input'),
        name: str(i, 'name'),
      }),
    StartExecution: (i) =>
      service.startExecution({
        stateMachineArn: required(i, 'stateMachineArn'),
        input: str(i, 'input'),
        name: str(i, 'name'),
      }),
    StopExecution: (i) =>
      service.stopExecution({
        executionArn: required(i, 'executionArn'),
        error: str(i, 'error'),
        cause: str(i, 'cause'),
      }),
    DescribeExecution: (i) => service.describeExecution({ executionArn: required(i, 'executionArn') }),
    ListExecutions: (i) =>
      service.listExecutions({
        stateMachineArn: required(i, 'stateMachineArn'),
        statusFilter: str(i, 'statusFilter') as never,
        maxResults: num(i, 'maxResults'),
        nextToken: str(i, 'nextToken'),
      }),
    GetExecutionHistory: (i) =>
      service.getExecutionHistory({
        executionArn: required(i, 'executionArn'),
        maxResults: num(i, 'maxResults'),
        nextToken: str(i, 'nextToken'),
        reverseOrder: i.reverseOrder === true,
        includeExecutionData: i.includeExecutionData === false ? false : undefined,
      }),
  };
}

/**
 * The AWS JSON 1.0 endpoint: `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON
 * body. Signatures are not checked. Errors are HTTP 400 with `{"__type", "message"}` (500 for bugs).
 */
export function createHandler(service: StepFunctionsService): http.RequestListener {
  const ops = operations(service);
  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const requestId = randomUUID();
      const send = (status: number, body: unknown, errorType?: string) => {
        const text = JSON.stringify(body);
        const headers: Record<string, string | number> = {
          'Content-Type': 'application/x-amz-json-1.0',
          'Content-Length': Buffer.byteLength(text),
          'x-amzn-RequestId': requestId,
        };
        if (errorType) headers['x-amzn-ErrorType'] = errorType;
        res.writeHead(status, headers);
        res.end(text);
      };
      const fail = (error: unknown) => {
        if (error instanceof SfnServiceError) {
          send(error.statusCode, { __type: error.type, message: error.message }, error.type);
        } else {
          const message = error instanceof Error ? error.message : String(error);
          send(500, { __type: 'InternalFailure', message }, 'InternalFailure');
        }
      };
      try {
        if (size > MAX_BODY_BYTES) throw sfnError.validation('Request body too large');
        const target = String(req.headers['x-amz-target'] ?? '');
        const opName = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
        const op = ops[opName];
        if (!op) {
          throw new SfnServiceError(
            'UnknownOperationException',
            `Unknown or unsupported operation: '${target}'`,
          );
        }
        const text = Buffer.concat(chunks).toString('utf8');
        let input: unknown;
        try {
          input = text.trim() === '' ? {} : JSON.parse(text);
        } catch {
          throw new SfnServiceError('SerializationException', 'Request body is not valid JSON');
        }
        if (typeof input !== 'object' || input === null || Array.isArray(input)) {
          throw new SfnServiceError('SerializationException', 'Request body must be a JSON object');
        }
        Promise.resolve(op(input as Input)).then((output) => send(200, toWire(output)), fail);
      } catch (error) {
        fail(error);
      }
    });
    req.on('error', (error) => fail500(res, error));
  };
}

function fail500(res: http.ServerResponse, error: Error): void {
  if (res.headersSent) return;
  res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.0' });
  res.end(JSON.stringify({ __type: 'InternalFailure', message: error.message }));
}
