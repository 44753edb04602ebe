/** Starting and stopping the local cloud's HTTP servers. */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on `port` (0: a free one) and resolves with the port. */
export function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolvePort((server.address() as AddressInfo).port));
  });
}

/** Closes the server and every connection it has, idle or not. */
export function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolveClose) => server.close(() => resolveClose()));
}
