import type { GeneralName } from '@cmpkit/codec';
import { CliError } from './cli-error.js';

function ipBytes(text: string): Uint8Array | undefined {
  const v4 = text.split('.');
  if (v4.length === 4 && v4.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return Uint8Array.from(v4.map(Number));
  if (!text.includes(':')) return undefined;
  const [head = '', tail = ''] = text.split('::');
  const parse = (s: string): number[] => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const a = parse(head);
  const b = parse(tail);
  if (!text.includes('::') && a.length !== 8) return undefined;
  const groups = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff))) return undefined;
  return Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
}

/**
 * Parses `--sans`: a comma-separated list of `DNS:name`, `IP:address`, `email:addr`, `URI:uri`, or
 * bare values (an IP address when it parses as one, else a DNS name), as `openssl cmp -sans` takes.
 */
export function parseSubjectAltNames(text: string): GeneralName[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item): GeneralName => {
      const colon = item.indexOf(':');
      const prefix = colon > 0 ? item.slice(0, colon).toUpperCase() : '';
      const value = item.slice(colon + 1);
      switch (prefix) {
        case 'DNS':
          return { type: 'dNSName', value };
        case 'EMAIL':
          return { type: 'rfc822Name', value };
        case 'URI':
          return { type: 'uniformResourceIdentifier', value };
        case 'IP': {
          const ip = ipBytes(value);
          if (!ip) throw new CliError(`'${value}' is not an IP address`);
          return { type: 'iPAddress', value: ip };
        }
        default: {
          const ip = ipBytes(item);
          return ip ? { type: 'iPAddress', value: ip } : { type: 'dNSName', value: item };
        }
      }
    });
}
