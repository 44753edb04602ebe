/** Messages exchanged between the local Lambda runner (parent) and a worker (execution environment). */

export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
}

export interface WorkerInit {
  /** file: URL of the handler module */
  entry: string;
  handlerExport: string;
  logFormat: 'Text' | 'JSON';
}

export interface InvokeContextData {
  awsRequestId: string;
  deadlineMs: number;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
}

export type ParentMessage = { type: 'invoke'; id: number; event: string; context: InvokeContextData };

export type WorkerMessage =
  | { type: 'ready'; initDurationMs: number }
  | { type: 'init-error'; error: ErrorInfo }
  | { type: 'result'; id: number; ok: true; payload: string; maxMemoryUsedMb?: number }
  | { type: 'result'; id: number; ok: false; error: ErrorInfo; maxMemoryUsedMb?: number };

export function toErrorInfo(value: unknown): ErrorInfo {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
  }
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    const name = typeof o.name === 'string' ? o.name : 'Error';
    const message = typeof o.message === 'string' ? o.message : JSON.stringify(value);
    return { name, message };
  }
  return { name: 'Error', message: String(value) };
}
