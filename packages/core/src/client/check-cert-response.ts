import { PKIStatus, type CertRepMessage, type CertResponse } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';

function malformed(type: string, why: string): never {
  throw new ProtocolError('badDataFormat', `the ${type} ${why}`);
}

/**
 * The content rules of an ip/cp/kup CertResponse that hold whatever was asked (RFC 9483 section
 * 4.1.1, RFC 9810 section 5.3.4): a status an enrollment can have (accepted, grantedWithMods,
 * rejection, waiting); a certificate with accepted and grantedWithMods only, and then no
 * failInfo; beside a certificate, caPubs that are certificates. A waiting or rejecting response
 * that carries a certificate, or a certificate response with a revocation status, is malformed
 * whatever its protection says. caPubs beside no certificate are ignored, not refused: RFC 9483
 * only says when they MAY be used, and OpenSSL's mock server sends them with rejections.
 *
 * @throws ProtocolError badDataFormat.
 */
export function checkCertResponseContent(type: 'ip' | 'cp' | 'kup', rep: CertRepMessage, response: CertResponse): void {
  const { status, failInfo } = response.status;
  const granted = status === PKIStatus.accepted || status === PKIStatus.grantedWithMods;
  if (!granted && status !== PKIStatus.rejection && status !== PKIStatus.waiting) {
    malformed(type, `answers with PKIStatus ${status}, which no certificate response can have`);
  }
  if (!granted && response.certifiedKeyPair)
    malformed(type, `carries a certificate although its status is ${status === PKIStatus.waiting ? 'waiting' : 'rejection'}`);
  if (granted && failInfo?.length) malformed(type, `grants the request but carries failInfo ${failInfo.join(', ')}`);
  if (granted && rep.caPubs?.length) {
    for (const caPub of rep.caPubs) {
      try {
        parseCertificate(caPub.der);
      } catch (cause) {
        throw new ProtocolError('badDataFormat', `the ${type} carries caPubs that are not certificates`, cause);
      }
    }
  }
}
