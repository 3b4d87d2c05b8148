import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressRefused, assertPublicUrl, checkAddresses, guardedLookup, isPublicAddress } from './address-policy.js';
import { guardedFetch } from './guarded-fetch.js';

/** Issue 13, defect 8: the address policy behind every fetch of a customer-chosen URL. */

// Independent of ipaddr.js: ranges written out here, addresses drawn inside them.
const PRIVATE_V4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const PRIVATE_V6: ReadonlyArray<[string, number]> = [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['2001::', 32],
];

const v4ToInt = (address: string): number => address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const intToV4 = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
const v6ToBig = (address: string): bigint => {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const parts = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return parts.reduce((n, part) => (n << 16n) | BigInt(Number.parseInt(part, 16)), 0n);
};
const bigToV6 = (n: bigint): string => Array.from({ length: 8 }, (_, i) => ((n >> BigInt((7 - i) * 16)) & 0xffffn).toString(16)).join(':');

const inV4 = ([base, bits]: [string, number]) =>
  fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((host) => intToV4(v4ToInt(base) + host));
const inV6 = ([base, bits]: [string, number]) =>
  fc.bigInt({ min: 0n, max: (1n << BigInt(128 - bits)) - 1n }).map((host) => bigToV6(v6ToBig(base) + host));

const privateV4 = fc.oneof(...PRIVATE_V4.map(inV4));
const privateV6 = fc.oneof(...PRIVATE_V6.map(inV6));
// 1/8 to 9/8 and 11/8 to 99/8 hold no special range.
const publicV4 = fc
  .tuple(fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 11, max: 99 })), fc.integer({ min: 0, max: 2 ** 24 - 1 }))
  .map(([first, rest]) => intToV4(first * 2 ** 24 + rest));
// 2400::/12 (APNIC) and 2a00::/12 (RIPE NCC): global unicast allocations.
const publicV6 = fc.oneof(inV6(['2400::', 12]), inV6(['2a00::', 12]));

describe('defect 8: the address policy', () => {
  it('refuses every IPv4 loopback, private, link-local, CGNAT, reserved and multicast address', () => {
    fc.assert(
      fc.property(privateV4, (address) => !isPublicAddress(address)),
      { numRuns: 2000 },
    );
  });

  it('refuses the same addresses IPv4-mapped in IPv6, in dotted and in hex form', () => {
    fc.assert(
      fc.property(privateV4, (address) => {
        const n = v4ToInt(address);
        const hex = `::ffff:${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
        return !isPublicAddress(`::ffff:${address}`) && !isPublicAddress(hex);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses IPv6 loopback, unspecified, unique-local, link-local, site-local, multicast, NAT64, 6to4, Teredo, documentation', () => {
    fc.assert(
      fc.property(privateV6, (address) => !isPublicAddress(address)),
      { numRuns: 2000 },
    );
  });

  it('accepts public IPv4 and IPv6 addresses, also IPv4-mapped', () => {
    fc.assert(
      fc.property(publicV4, (address) => isPublicAddress(address) && isPublicAddress(`::ffff:${address}`)),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(publicV6, (address) => isPublicAddress(address)),
      { numRuns: 1000 },
    );
  });

  it('decides the specific cases', () => {
    for (const address of [
      '127.0.0.1',
      '0.0.0.0',
      '169.254.169.254',
      '100.64.0.1',
      '10.1.2.3',
      '172.31.255.255',
      '192.168.1.1',
      '255.255.255.255',
      '::1',
      '::',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::127.0.0.1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'fe80::1%eth0',
      'ff02::1',
      '64:ff9b::7f00:1',
      'localhost',
      '127.1',
      '2130706433',
      '',
      'not an address',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '140.82.112.3', '::ffff:8.8.8.8', '2606:4700:4700::1111', '2001:4860:4860::8888']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });

  it('checkAddresses refuses a host when any one of its addresses is private, or it has none; allowPrivate lets them through', () => {
    expect(() => checkAddresses('idp.example', ['8.8.8.8', '10.0.0.1'], { allowPrivate: false })).toThrow(AddressRefused);
    expect(() => checkAddresses('idp.example', [], { allowPrivate: false })).toThrow(AddressRefused);
    expect(() => checkAddresses('idp.example', [], { allowPrivate: true })).toThrow(AddressRefused);
    expect(() => checkAddresses('idp.example', ['8.8.8.8', '2606:4700:4700::1111'], { allowPrivate: false })).not.toThrow();
    expect(() => checkAddresses('idp.example', ['127.0.0.1'], { allowPrivate: true })).not.toThrow();
  });

  it('assertPublicUrl checks address literals in every spelling the URL parser accepts, and resolved names', async () => {
    for (const url of [
      'http://127.0.0.1:5432/',
      'http://[::1]:8080/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://0.0.0.0/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://017700000001/',
      'http://169.254.169.254/latest/meta-data/',
      'https://localhost/',
      'https://LOCALHOST/',
      'http://[fd00::1]/',
    ]) {
      await expect(assertPublicUrl(url, { allowPrivate: false }), url).rejects.toThrow(AddressRefused);
    }
    await expect(assertPublicUrl('https://8.8.8.8/', { allowPrivate: false })).resolves.toBeUndefined();
    await expect(assertPublicUrl('http://127.0.0.1/', { allowPrivate: true })).resolves.toBeUndefined();
    await expect(assertPublicUrl('http://localhost/', { allowPrivate: true })).resolves.toBeUndefined();
  });

  it('guardedLookup has dns.lookup’s signature and refuses private answers at connect time', async () => {
    const lookup = (policy: { allowPrivate: boolean }, all: boolean) =>
      new Promise<unknown>((resolve, reject) =>
        guardedLookup(policy)('localhost', { all }, (error, address) => (error ? reject(error) : resolve(address))),
      );
    await expect(lookup({ allowPrivate: false }, false)).rejects.toThrow(AddressRefused);
    await expect(lookup({ allowPrivate: false }, true)).rejects.toThrow(AddressRefused);
    expect(await lookup({ allowPrivate: true }, false)).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(await lookup({ allowPrivate: true }, true)).toEqual(
      expect.arrayContaining([expect.objectContaining({ family: expect.any(Number) })]),
    );
  });
});

describe('defect 8: guardedFetch connects only where the policy allows', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-method': request.method ?? '' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses a loopback address literal and a name resolving to loopback', async () => {
    const fetch = guardedFetch({ allowPrivate: false });
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow(AddressRefused);
    await expect(fetch(`http://[::ffff:127.0.0.1]:${port}/`)).rejects.toThrow(AddressRefused);
    await expect(fetch(`http://localhost:${port}/`)).rejects.toThrow(AddressRefused);
  });

  it('fetches where allowed, as fetch would answer', async () => {
    const fetch = guardedFetch({ allowPrivate: true });
    const response = await fetch(`http://localhost:${port}/x`, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({ a: '1' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-method')).toBe('POST');
    expect(await response.json()).toEqual({ ok: true });
  });

  it('stops reading a response larger than its limit', async () => {
    const fetch = guardedFetch({ allowPrivate: true }, { maxBodyBytes: 4 });
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow(/exceeds/);
  });
});
