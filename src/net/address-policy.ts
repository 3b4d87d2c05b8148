import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which network addresses Roster may connect to on a customer's behalf (an SSO issuer today,
 * webhooks later). Without a policy, whoever chooses the URL (a workspace admin) can make the
 * Roster host connect to its own loopback services, the cloud metadata endpoint or the private
 * network, and learn from the answers what listens there.
 *
 * Public means a global unicast address: for IPv4 anything ipaddr.js classes as `unicast` (not
 * 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24, 192.88.99/24,
 * 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, multicast, 240/4, broadcast, AS112, AMT);
 * for IPv6 an address in 2000::/3 that ipaddr.js classes as `unicast` (so not ::, ::1, ::/96,
 * fc00::/7, fe80::/10, fec0::/10, multicast, NAT64, 6to4, Teredo, documentation and the other
 * special ranges). An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as its IPv4 address.
 */
export interface AddressPolicy {
  /** Allow non-public addresses too (ROSTER_ALLOW_PRIVATE_ISSUERS=1: development and tests). */
  readonly allowPrivate: boolean;
}

/** A connection the address policy refused; `message` names the host and address, for the service log. */
export class AddressRefused extends Error {
  readonly code = 'ERR_ADDRESS_REFUSED';
  constructor(
    readonly host: string,
    readonly address: string | undefined,
  ) {
    super(
      address === undefined
        ? `${host} resolves to no address`
        : `${host} resolves to ${address}, which is not a public address (set ROSTER_ALLOW_PRIVATE_ISSUERS=1 to allow it)`,
    );
    this.name = 'AddressRefused';
  }
}

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/** Whether `address` (an IPv4 or IPv6 literal, without brackets) is a public, global unicast address. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address) || isIP(withoutZone(address)) === 0) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === 'ipv4') return parsed.range() === 'unicast';
  const v6 = parsed as ipaddr.IPv6;
  return v6.match(GLOBAL_UNICAST_V6) && v6.range() === 'unicast';
}

/** The address literal a URL host names (brackets removed), or undefined for a DNS name. */
export function addressLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(withoutZone(bare)) === 0 ? undefined : bare;
}

const withoutZone = (address: string): string => address.replace(/%.*$/, '');

/** Throws AddressRefused unless every address is allowed; an empty list is refused too. */
export function checkAddresses(host: string, addresses: readonly string[], policy: AddressPolicy): void {
  if (addresses.length === 0) throw new AddressRefused(host, undefined);
  if (policy.allowPrivate) return;
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused !== undefined) throw new AddressRefused(host, refused);
}

/**
 * Resolves the URL's host (every address, as `dns.lookup` would for a connection) and throws
 * AddressRefused unless each one is allowed. A check ahead of the request; pair it with
 * `guardedLookup` at connect time, or DNS may answer differently the second time.
 */
export async function assertPublicUrl(url: string | URL, policy: AddressPolicy): Promise<void> {
  const { hostname } = typeof url === 'string' ? new URL(url) : url;
  const literal = addressLiteral(hostname);
  if (literal !== undefined) return checkAddresses(hostname, [literal], policy);
  const found = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  checkAddresses(
    hostname,
    found.map((entry) => entry.address),
    policy,
  );
}

/**
 * A `lookup` with `dns.lookup`'s signature for `http.Agent`, `http.request` or `net.connect`: it
 * resolves every address and refuses the connection unless all are allowed, so the address
 * checked is the address connected to (no DNS-rebinding gap). Node does not call `lookup` for
 * an address literal: check those with `assertPublicUrl` (or `checkAddresses`) first.
 */
export function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, options.all ? [] : '', undefined);
      try {
        checkAddresses(
          hostname,
          addresses.map((entry) => entry.address),
          policy,
        );
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, options.all ? [] : '', undefined);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0] as dns.LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}
