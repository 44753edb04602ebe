export {
  createLocalFunction,
  LambdaFunctionError,
  type LocalFunction,
  type LocalFunctionOptions,
  type LocalFunctionStats,
  type LogListener,
  type LogStream,
} from './function';
export { type FormatOptions, formatLogLine } from './log-format';
