import { request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AwsStandIn } from './aws.js';

/**
 * The page server playing the shared load balancer: a request whose Host is a
 * name under the review apps' domain (`shop-mr-1.review.localhost:3000`;
 * browsers resolve every `*.localhost` to this machine) is answered as the
 * ELBv2 stand-in's listener says: the app behind a `forward` rule (the task's
 * own server, as the ECS stand-in runs it), a rule's fixed response (an ended
 * app's page), or the listener's default (404). The listener speaks plain
 * HTTP on the page's port, so the bot's links carry that port.
 */

export interface LoadBalancerFront {
  /** The review apps' domain: the names are one label under it. */
  domain: string;
  listenerArn: string;
  /** The listener's port (the page's), for X-Forwarded-Port. */
  port: number;
}

/** Where the app of the task with this private IP answers, when it runs. */
export type AppAt = (privateIp: string) => Promise<string | undefined>;

/** The request's host name without the port, when it is a name under the domain. */
export function nameOf(req: IncomingMessage, domain: string): string | undefined {
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
  return host.endsWith(`.${domain}`) ? host : undefined;
}

const page = (res: ServerResponse, status: number, title: string, text: string) => {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(`<!doctype html><title>${title}</title><h1>${title}</h1><p>${text}</p>`);
};

/** Answers a request for the name `host` as the listener does. */
export async function answerByName(
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
  front: LoadBalancerFront,
  aws: Pick<AwsStandIn, 'listenerAnswer'>,
  appAt: AppAt,
): Promise<void> {
  const sourceIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const answer = aws.listenerAnswer(front.listenerArn, { host, sourceIp });
  if (answer.kind === 'fixed-response') {
    // FixedResponseConfig ContentType is one of text/plain, text/css, text/html,
    // application/javascript, application/json; the bot's pages are UTF-8 text.
    res.writeHead(answer.status, {
      'content-type': `${answer.contentType ?? 'text/plain'}; charset=utf-8`,
      'cache-control': 'no-store',
    });
    res.end(answer.body);
    return;
  }
  if (answer.kind === 'sign-in') {
    page(
      res,
      401,
      'Sign-in required',
      `This name signs people in with ${answer.issuer} first: the sandbox has no identity provider.`,
    );
    return;
  }
  // ALB itself answers "503 Service Temporarily Unavailable" when the target group has no
  // registered targets (with only unhealthy ones it fails open to them, see answerFor), and 502 when the target closes the connection (Troubleshoot your
  // Application Load Balancers, "The load balancer generates an HTTP error", ELB guide).
  const target = answer.targets[0];
  if (!target) {
    page(res, 503, '503 Service Temporarily Unavailable', 'No target answers this name yet.');
    return;
  }
  const url = await appAt(target.slice(0, target.lastIndexOf(':')));
  if (!url) {
    page(res, 502, '502 Bad Gateway', 'The target did not answer.');
    return;
  }
  const to = new URL(url);
  await new Promise<void>((resolve) => {
    const upstream = forward(
      {
        hostname: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        // By default ALB sends the Host with the listener's port (as the browser sent it here),
        // appends the client to X-Forwarded-For and adds X-Forwarded-Proto and -Port ("HTTP
        // headers and Application Load Balancers", ELB guide; the host header launch note).
        headers: {
          ...req.headers,
          'x-forwarded-for': [req.headers['x-forwarded-for'], sourceIp].filter(Boolean).join(', '),
          'x-forwarded-proto': 'http',
          'x-forwarded-port': String(front.port),
        },
      },
      (answered) => {
        res.writeHead(answered.statusCode ?? 502, answered.headers);
        answered.pipe(res);
        answered.on('end', resolve);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) page(res, 502, '502 Bad Gateway', 'The target closed the connection.');
      else res.destroy();
      resolve();
    });
    req.pipe(upstream);
  });
}
