/**
 * Resolves `*.localhost` to the loopback address inside a local execution environment, as
 * RFC 6761 asks and as browsers and systemd-resolved do (glibc's resolver does not).
 *
 * Why: the AWS SDK sends StartSyncExecution to a `sync-` host prefix (`sync-states.<region>...`
 * on AWS). Against `http://127.0.0.1:4566` that becomes `sync-127.0.0.1`, which cannot resolve,
 * and the SDK reads no environment variable to turn the prefix off. With the Step Functions
 * endpoint set to `http://sfn.localhost:4566`, the prefixed `sync-sfn.localhost` resolves here,
 * and the handler code stays exactly what runs on AWS.
 */
import dns from 'node:dns';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: unknown, family?: number) => void;

export function installLocalhostResolution(): void {
  const original = dns.lookup;
  const patched = function lookup(hostname: string, options: unknown, callback?: unknown) {
    const done = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean };
    if (typeof hostname === 'string' && hostname.toLowerCase().endsWith('.localhost')) {
      if (opts.all) process.nextTick(done, null, [{ address: '127.0.0.1', family: 4 }]);
      else process.nextTick(done, null, '127.0.0.1', 4);
      return;
    }
    // biome-ignore lint/complexity/noArguments: forwards every overload of dns.lookup unchanged.
    return Reflect.apply(original, dns, arguments);
  };
  dns.lookup = patched as typeof dns.lookup;
}
