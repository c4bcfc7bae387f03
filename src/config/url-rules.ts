/**
 * The URL rules every configuration slice shares. No imports: the loader and every provider's
 * slice import this file, so it can never take part in an import cycle.
 */

/** Loopback hosts: the only ones that may use plain http (and the only ones sandbox mode may call). */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * What is wrong with an upstream URL, if anything: it must be absolute, https (plain http for
 * loopback only), without a query or fragment. The message never quotes the value.
 */
export function upstreamUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) return 'must use https (plain http is accepted for loopback addresses only)';
  if (url.search || url.hash) return 'must not carry a query or fragment';
  return undefined;
}
