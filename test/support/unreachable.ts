import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * A loopback URL where nothing listens: a port the system just handed out and
 * took back, so connecting is refused at once. (Ports such as 1 will not do:
 * fetch refuses them itself, as "bad port", before any connection.)
 */
export async function closedLoopbackUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}

/** A host name that resolves nowhere: `.invalid` is reserved for that (RFC 2606), so it fails fast offline. */
export const UNRESOLVABLE_URL = 'http://review-app-doctor.invalid';
