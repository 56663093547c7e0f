/**
 * What the spec's URL pattern cannot say, as the gate's client (Node's WHATWG URL parser) reads a
 * URL: a port above 65535, an unclosed IPv6 bracket, a host with a `%` escape it refuses. A URL it
 * cannot parse would fail every gate run later, so it is refused first. The message follows the field.
 */
export function urlProblem(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.hostname === '') return 'must name a host';
    return undefined;
  } catch {
    return 'must be a URL the gate can parse: a host (IPv6 in closed brackets, no % escapes), a port from 1 to 65535, then a path';
  }
}
