import type { Env } from '../../../env';
import { invalid } from '../../agents/shared';

/**
 * Outbound URLs (MCP servers) must not reach the platform's own network: private, loopback,
 * link-local, carrier-grade NAT, multicast and reserved addresses, and names that only resolve
 * inside a network, are refused unless ALLOW_PRIVATE_URLS is "true" (development only). The URL
 * parser has already normalised IPv4 in decimal, octal or hex forms (`http://2130706433/` is
 * 127.0.0.1), so literal checks see the real address. Every request the MCP client makes goes
 * through `guardedFetch`, so a redirect cannot lead somewhere a configured URL could not.
 */
const BLOCKED_V4: [number, number][] = [
  [0x00000000, 8], // "this" network
  [0x0a000000, 8], // private
  [0x64400000, 10], // carrier-grade NAT
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local (cloud metadata lives here)
  [0xac100000, 12], // private
  [0xc0000000, 24], // IETF protocol assignments
  [0xc0000200, 24], // documentation
  [0xc0a80000, 16], // private
  [0xc6120000, 15], // benchmarking
  [0xc6336400, 24], // documentation
  [0xcb007100, 24], // documentation
  [0xe0000000, 4], // multicast
  [0xf0000000, 4], // reserved and broadcast
];

const BLOCKED_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/;

function v4ToInt(host: string): number | null {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function blockedV4(ip: number) {
  return BLOCKED_V4.some(([base, bits]) => ip >>> (32 - bits) === base >>> (32 - bits));
}

/** Expands an IPv6 literal into 8 groups; null when it is not one. */
function v6Groups(host: string): number[] | null {
  let h = host;
  const v4 = h.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const n = v4ToInt(v4[1]!);
    if (n === null) return null;
    h = `${h.slice(0, -v4[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail, ...rest] = h.split('::');
  if (rest.length > 0) return null;
  const a = head ? head.split(':') : [];
  const b = tail ? tail.split(':') : [];
  const missing = 8 - a.length - b.length;
  if ((tail === undefined && missing !== 0) || missing < 0) return null;
  const groups = [...a, ...Array(tail === undefined ? 0 : missing).fill('0'), ...b];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16));
}

function blockedV6(g: number[]) {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const embeddedV4 = g6 * 0x10000 + g7;
  if (g.slice(0, 7).every((x) => x === 0)) return true; // :: and ::1
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return blockedV4(embeddedV4);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
    return blockedV4(embeddedV4);
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  return false;
}

/** Why a host may not be reached from the platform, or null when it may. */
export function privateHostReason(hostname: string): string | null {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  const v4 = v4ToInt(host);
  if (v4 !== null) return blockedV4(v4) ? 'a private, loopback, link-local or reserved IPv4 address' : null;
  if (host.includes(':')) {
    const g = v6Groups(host);
    if (!g) return 'an IPv6 address that cannot be read';
    return blockedV6(g) ? 'a private, loopback, link-local or reserved IPv6 address' : null;
  }
  if (!host.includes('.')) return 'a name without a domain, which only resolves inside a network';
  if (BLOCKED_NAMES.test(host)) return 'a name that only resolves inside a network';
  return null;
}

export const allowPrivateUrls = (env: Pick<Env, 'ALLOW_PRIVATE_URLS'>) => env.ALLOW_PRIVATE_URLS === 'true';

/** Checks an outbound URL; throws a 422 about `path` when the platform must not call it. */
export function checkOutboundUrl(env: Pick<Env, 'ALLOW_PRIVATE_URLS'>, raw: string, path = 'url'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(path, 'Not a URL');
  }
  const dev = allowPrivateUrls(env);
  if (url.protocol !== 'https:' && !(dev && url.protocol === 'http:'))
    throw invalid(path, dev ? 'Use an http or https URL' : 'Use an https URL');
  if (url.username || url.password)
    throw invalid(path, 'Put credentials in headers (kept in the vault), not in the URL');
  const reason = dev ? null : privateHostReason(url.hostname);
  if (reason) throw invalid(path, `The host is ${reason}; the platform does not call such addresses`);
  return url;
}

/** fetch for outbound calls: every request, redirects included, is checked first. */
export function guardedFetch(env: Pick<Env, 'ALLOW_PRIVATE_URLS'>): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    checkOutboundUrl(env, url);
    return fetch(input, init);
  };
}
