import { describe, expect, it } from 'vitest';
import { isDnsName, matchesDnsPattern, parseDnsPattern, type DnsPattern } from '../../src/internal/dns-name.js';

describe('isDnsName', () => {
  it.each([
    ['example.com', false, true],
    ['localhost', false, true],
    ['a-b.c0.example', false, true],
    ['*.example.com', true, true],
    ['*.example.com', false, false],
    ['*.com', true, false],
    ['a.*.example.com', true, false],
    ['-a.example.com', false, false],
    ['a-.example.com', false, false],
    ['a..example.com', false, false],
    ['example.com.', false, false],
    ['a_b.example.com', false, false],
    [`${'a'.repeat(64)}.example.com`, false, false],
    [`${'a'.repeat(63)}.example.com`, false, true],
    [Array(64).fill('abc').join('.'), false, false],
    ['', false, false],
  ])('%s (wildcards %s) is %s', (name, wildcard, ok) => {
    expect(isDnsName(name, wildcard)).toBe(ok);
  });
});

describe('DNS patterns', () => {
  it('matches exact names and names below a *.suffix, ignoring case', () => {
    const patterns = ['*.Example.com', 'host.example.org'].map(parseDnsPattern) as DnsPattern[];
    expect(matchesDnsPattern('a.example.com', patterns)).toBe(true);
    expect(matchesDnsPattern('A.B.EXAMPLE.COM', patterns)).toBe(true);
    expect(matchesDnsPattern('example.com', patterns)).toBe(false);
    expect(matchesDnsPattern('badexample.com', patterns)).toBe(false);
    expect(matchesDnsPattern('host.example.org', patterns)).toBe(true);
    expect(matchesDnsPattern('x.host.example.org', patterns)).toBe(false);
  });

  it.each(['*', '*.', 'a.*.com', '**.example.com', 'exa mple.com'])('refuses the pattern %s', (p) => {
    expect(parseDnsPattern(p)).toBeNull();
  });
});
