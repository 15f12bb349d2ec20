import { pkiStatusName, PKIStatus, type PKIBody, type PKIStatusInfo } from '@cmpkit/codec';

/** The PKIStatusInfos a response carries: the error's, each CertResponse's, each rp status. */
function statusesOf(body: PKIBody): PKIStatusInfo[] {
  switch (body.type) {
    case 'ip':
    case 'cp':
    case 'kup':
    case 'ccp':
      return body.content.response.map((r) => r.status);
    case 'rp':
      return body.content.status;
    case 'error':
      return [body.content.pKIStatusInfo];
    case 'pollRep':
      return [{ status: PKIStatus.waiting }];
    default:
      return [];
  }
}

/**
 * The outcome of a response as one PKIStatus name (the least favourable of its statuses;
 * `accepted` for an answer without any, such as genp or pkiconf; `waiting` for pollRep) and its
 * failInfo bits, sorted and without duplicates.
 */
export function outcomeOf(body: PKIBody): { outcome: string; failInfo: string[] } {
  const statuses = statusesOf(body);
  const worst =
    statuses.find((s) => s.status === PKIStatus.rejection) ?? statuses.find((s) => s.status === PKIStatus.waiting) ?? statuses[0];
  const failInfo = [...new Set(statuses.flatMap((s) => s.failInfo ?? []))].sort();
  return { outcome: pkiStatusName(worst?.status ?? PKIStatus.accepted), failInfo };
}
