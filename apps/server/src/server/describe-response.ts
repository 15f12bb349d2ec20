import { pkiStatusName, PKIStatus, type PKIBody, type PKIMessage, type PKIStatusInfo } from '@cmpkit/codec';

function statusText(info: PKIStatusInfo): string {
  const bits = info.failInfo?.length ? ` ${info.failInfo.join(',')}` : '';
  return `${pkiStatusName(info.status)}${bits}`;
}

/** What a response says, in a few words: `ip accepted`, `error rejection badPOP (text)`, `pollRep`. */
export function describeResponse(message: PKIMessage): string {
  const body = message.body;
  switch (body.type) {
    case 'ip':
    case 'cp':
    case 'kup':
    case 'ccp':
      return `${body.type} ${body.content.response.map((r) => statusText(r.status)).join('; ')}`;
    case 'rp':
      return `rp ${body.content.status.map(statusText).join('; ')}`;
    case 'error': {
      const text = body.content.pKIStatusInfo.statusString?.join(' ');
      return `error ${statusText(body.content.pKIStatusInfo)}${text ? ` (${text})` : ''}`;
    }
    default:
      return body.type;
  }
}

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
