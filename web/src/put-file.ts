/**
 * PUTs a file to a presigned URL with XMLHttpRequest (fetch reports no upload progress).
 * The browser sets Content-Length itself; the signed Content-Type is sent as given.
 */
import type { UploadTicket } from './lib/api';

export function putFile(
  ticket: UploadTicket,
  file: Blob,
  onProgress: (loaded: number, total: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(ticket.upload.method, ticket.upload.url);
    for (const [name, value] of Object.entries(ticket.upload.headers)) {
      // Forbidden header names (content-length) are the browser's to set.
      if (name.toLowerCase() !== 'content-length') request.setRequestHeader(name, value);
    }
    request.upload.onprogress = (event) =>
      onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress(file.size, file.size);
        resolve();
      } else if (request.status === 403) {
        reject(new Error('The upload link was refused or has expired. Try again.'));
      } else {
        reject(new Error(`The storage service answered HTTP ${request.status}. Try again.`));
      }
    };
    request.onerror = () => reject(new Error("Can't reach the storage service. Check your connection."));
    request.onabort = () => reject(new Error('The upload was cancelled.'));
    request.send(file);
  });
}
