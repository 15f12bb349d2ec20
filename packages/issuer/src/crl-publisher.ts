import type { CertificateAuthority, CrlEntry } from '@cmpkit/ca';
import type { CrlRepository, StoredCrl } from './store/crl-repository.js';
import { reasonName } from './revocation-reason.js';

/** Signs and stores CRLs of the issuing CA. */
export interface CrlPublisher {
  /** Signs a new CRL of every revoked certificate with the next cRLNumber, stores it and returns it. */
  publish(): Promise<StoredCrl>;
  /** The stored current CRL; a new one when there is none or its nextUpdate has passed. */
  current(): Promise<StoredCrl>;
}

/** Input of {@link createCrlPublisher}. */
export interface CrlPublisherInit {
  ca: CertificateAuthority;
  crls: CrlRepository;
  /** Hours from thisUpdate to nextUpdate. */
  validityHours: number;
  /** thisUpdate of the CRLs it signs. Default: the system clock. */
  clock?: () => Date;
}

/** A {@link CrlPublisher} for `init.ca` that keeps its CRLs and cRLNumbers in `init.crls`. */
export function createCrlPublisher(init: CrlPublisherInit): CrlPublisher {
  const { ca, crls, clock = () => new Date() } = init;
  async function publish(): Promise<StoredCrl> {
    // Number and entries are taken together: a CRL with a higher number never lists fewer
    // revocations.
    const { crlNumber, revoked } = await crls.reserve();
    const entries: CrlEntry[] = revoked.map((r) => {
      const reason = r.revocationReason === undefined ? undefined : reasonName(r.revocationReason);
      return {
        serialNumber: BigInt(`0x${r.serial}`),
        revocationDate: r.revokedAt,
        ...(reason && reason !== 'removeFromCRL' ? { reason } : {}),
      };
    });
    const thisUpdate = new Date(Math.floor(clock().getTime() / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + init.validityHours * 3_600_000);
    const der = await ca.createCrl({ entries, thisUpdate, nextUpdate, crlNumber });
    const crl: StoredCrl = { crlNumber, thisUpdate, nextUpdate, der };
    await crls.store(crl);
    return crl;
  }
  return {
    publish,
    async current() {
      const crl = await crls.current();
      if (crl && crl.nextUpdate.getTime() > clock().getTime()) return crl;
      return publish();
    },
  };
}
