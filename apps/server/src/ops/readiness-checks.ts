import { parseCertificate } from '@cmpkit/protection';
import type { ReadinessCheck } from './health-endpoints.js';

/** Reachability of the database: a small read (a PostgreSQL server that is down or unreachable fails it). */
export function databaseCheck(read: () => Promise<unknown>): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      try {
        await read();
      } catch (error) {
        throw new Error(`unreachable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    },
  };
}

/**
 * The signing material is loaded and usable: each certificate (the issuing CA's, the CMP
 * server's; an RA's) is valid at `clock()`. An expired CA certificate cannot issue anything.
 */
export function certificatesCheck(
  name: string,
  certificates: () => Record<string, Uint8Array | undefined>,
  clock: () => Date,
): ReadinessCheck {
  return {
    name,
    async check() {
      const now = clock();
      for (const [what, der] of Object.entries(certificates())) {
        if (!der) throw new Error(`no ${what} certificate loaded`);
        const { notBefore, notAfter } = parseCertificate(der);
        if (now < notBefore) throw new Error(`the ${what} certificate is not valid before ${notBefore.toISOString()}`);
        if (now > notAfter) throw new Error(`the ${what} certificate expired at ${notAfter.toISOString()}`);
      }
    },
  };
}
