/**
 * Local stand-ins for what the verification gate talks to: an HTTP server on 127.0.0.1, and one that
 * answers like the Prometheus API (/api/v1/query, /api/v1/query_range) from a script of answers. And
 * a fake clock for the gate's timed checks, so that none depends on how busy the machine is.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server on 127.0.0.1 that answers `handler`, and its base URL. */
export async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Closes a server, ending the connections it still holds (an endless or unanswered request). */
export function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An HTTP answer as the stand-in gives it. */
export interface Raw {
  readonly status?: number;
  readonly body: string;
}

const success = (data: unknown) => JSON.stringify({ status: 'success', data });

/** A vector of one sample whose value is `value` as Prometheus writes it (or anything else, to test the gate). */
export const sample = (value: unknown): Raw => ({ body: success({ resultType: 'vector', result: [{ metric: {}, value: [1700000000, value] }] }) });

/** A vector that matched no series. */
export const empty: Raw = { body: success({ resultType: 'vector', result: [] }) };

/** A matrix of one series with these values. */
export const series = (values: (number | string)[]): Raw => ({
  body: success({ resultType: 'matrix', result: [{ metric: {}, values: values.map((value, i) => [1700000000 + i, String(value)]) }] }),
});

/**
 * A stand-in Prometheus: each query (as the gate sends it, placeholders filled in) is answered with
 * the next of its answers, the last one again once they run out; `asked` records each request and when.
 */
export async function fakePrometheus(script: Record<string, Raw[]>) {
  const asked: { query: string; path: string; params: Record<string, string>; at: number }[] = [];
  const { server, url } = await serve((request, response) => {
    const target = new URL(request.url!, 'http://x');
    const query = target.searchParams.get('query') ?? '';
    asked.push({ query, path: target.pathname, params: Object.fromEntries(target.searchParams), at: Date.now() });
    const answers = script[query];
    const answer = answers ? answers[Math.min(asked.filter((each) => each.query === query).length, answers.length) - 1] : undefined;
    response.statusCode = answer?.status ?? (answer ? 200 : 404);
    response.setHeader('Content-Type', 'application/json');
    response.end(answer?.body ?? '{"status":"error","error":"unknown query"}');
  });
  return { server, url, asked };
}

/**
 * Puts this test's Date and timers on a fake clock, which moves only when the test moves it; servers
 * and requests still run for real (jest.useRealTimers() ends it). The gate's own timers are the run's
 * deadline and, in an analysis, the wait for its next round.
 */
export function useFakeClock(): void {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance'] });
}

/**
 * Settles `promise` (a run of the gate on the fake clock), moving the clock on to the gate's next
 * timer each time the gate waits for one before its deadline: the deadline's timer is always there,
 * so a second one is the wait for a round. A wait for a server is waited for as it is: the clock does
 * not move meanwhile.
 */
export async function onFakeClock<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  promise.then(() => { settled = true; }, () => { settled = true; });
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    if (jest.getTimerCount() > 1) jest.advanceTimersToNextTimer();
  }
  return promise;
}
