import type { IncomingMessage, ServerResponse } from 'node:http';

/** One readiness condition: resolves when it holds, rejects with the reason when not. */
export interface ReadinessCheck {
  /** Its name in the `/ready` answer, e.g. `database`. */
  name: string;
  check(): Promise<void>;
}

/** Input of {@link healthEndpoints}. */
export interface HealthEndpointsInit {
  checks: readonly ReadinessCheck[];
  /** True once the server is shutting down: `/ready` then fails, so load balancers stop sending. */
  stopping(): boolean;
  /** How long a check may take before it counts as failed, ms (default 2000). */
  timeoutMs?: number;
}

/** Answers a request when it is one of the endpoints; false leaves it to the CMP listener. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

function answer(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function withTimeout(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([check.check(), late]).finally(() => clearTimeout(timer));
}

/**
 * `GET /health` (liveness: the process serves HTTP, always 200 `{"status":"ok"}`) and `GET /ready`
 * (readiness: every check passes, 200 `{"status":"ready","checks":{...}}`; else 503 with
 * `"not ready"` and each failed check's reason), JSON, also for HEAD. Other methods get 405.
 */
export function healthEndpoints(init: HealthEndpointsInit): HttpRoute {
  const timeoutMs = init.timeoutMs ?? 2000;
  return (req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== '/health' && path !== '/ready') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    if (path === '/health') {
      answer(req, res, 200, { status: 'ok' });
      return true;
    }
    void Promise.all(
      init.checks.map((c) =>
        withTimeout(c, timeoutMs).then(
          () => [c.name, 'ok'] as const,
          (error: unknown) => [c.name, error instanceof Error ? error.message : String(error)] as const,
        ),
      ),
    ).then((results) => {
      const checks: Record<string, string> = Object.fromEntries(results);
      if (init.stopping()) checks.server = 'shutting down';
      const ready = Object.values(checks).every((v) => v === 'ok');
      answer(req, res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
    });
    return true;
  };
}
