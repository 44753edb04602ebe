/** An S3 error response; also thrown by readObject (`name` and `code` are the S3 error code). */
export class S3Error extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}
