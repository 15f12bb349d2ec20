import { pkiStatusName, type PKIMessage, type PKIStatusInfo } from '@cmpkit/codec';

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
