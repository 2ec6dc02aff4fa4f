/**
 * Codes Node (and undici, under fetch) gives a request that got no answer from
 * any server: the name did not resolve, nothing listened, the connection broke
 * or timed out. Such a failure says nothing about what was asked for.
 */
const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

type Link = {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  original?: unknown;
  errors?: unknown;
};

/**
 * The network failure behind an error, as Node words it ("getaddrinfo ENOTFOUND
 * aws.invalid", "connect ECONNREFUSED 127.0.0.1:4566"), or undefined when a
 * server answered. Clients wrap it: fetch in `cause`, Slack's WebClient in `original`.
 */
export function networkFailure(error: unknown): string | undefined {
  let link = error as Link | undefined;
  for (let depth = 0; link && typeof link === 'object' && depth < 5; depth++) {
    if (typeof link.code === 'string' && NETWORK_CODES.has(link.code)) return wording(link);
    link = (link.cause ?? link.original) as Link | undefined;
  }
  return undefined;
}

/** Node's own message; an AggregateError (every address of a host refused) has none of its own. */
function wording(link: Link): string {
  if (typeof link.message === 'string' && link.message !== '') return link.message;
  const first = Array.isArray(link.errors) ? (link.errors[0] as Link | undefined) : undefined;
  if (typeof first?.message === 'string' && first.message !== '') return first.message;
  return String(link.code);
}

/** Where the failed request was going, from the error's own fields: a host, or an address and port. */
export function failedDestination(error: unknown): string | undefined {
  let link = error as
    | (Link & { hostname?: unknown; address?: unknown; port?: unknown })
    | undefined;
  for (let depth = 0; link && typeof link === 'object' && depth < 5; depth++) {
    if (typeof link.hostname === 'string') return link.hostname;
    if (typeof link.address === 'string')
      return link.port === undefined ? link.address : `${link.address}:${String(link.port)}`;
    link = (link.cause ?? link.original) as typeof link;
  }
  return undefined;
}
