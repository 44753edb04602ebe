/** Request bodies for the local HTTP services: read whole, or undefined past a size limit. */
import type http from 'node:http';

/** The body, or undefined when it is larger than `limit` bytes (the rest is read and dropped). */
export function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
