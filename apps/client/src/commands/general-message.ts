import { encodePem, INFO_TYPE_OIDS, type InfoTypeAndValue, type InfoTypeName } from '@cmpkit/codec';
import { readCertificate, writeCertificates } from '../certificates.js';
import { withClient } from '../client-setup.js';
import type { CmpOptionValues } from '../cmp-options.js';
import { writeOutputFile } from '../files.js';
import { describeCertificate } from '../format/describe-certificate.js';
import { renderTree, viewOfValue } from '../format/message-view.js';
import type { Io } from '../io.js';
import { CliError } from '../cli-error.js';

function itavFor(spec: string): InfoTypeAndValue {
  if (spec in INFO_TYPE_OIDS) return { type: spec as InfoTypeName } as InfoTypeAndValue;
  if (/^\d+(\.\d+)+$/.test(spec)) {
    const name = Object.entries(INFO_TYPE_OIDS).find(([, oid]) => oid === spec)?.[0];
    return name ? ({ type: name } as InfoTypeAndValue) : { type: 'other', infoType: spec };
  }
  throw new CliError(`--infotype '${spec}' is neither a known infotype (${Object.keys(INFO_TYPE_OIDS).join(', ')}) nor an OID`);
}

/** `cmpkit genm [--infotype NAME|OID]...`: sends a general message and prints the genp. */
export async function genmCommand(values: CmpOptionValues, io: Io): Promise<number> {
  const items = (values.infotype ?? []).map(itavFor);
  return withClient(values, io, [], async (client) => {
    const answer = await client.generalMessage(items, values.profile ? { certProfile: values.profile } : {});
    const view = viewOfValue(answer, 'genp');
    io.stdout(values.json ? `${JSON.stringify(view, null, 2)}\n` : `genp:${renderTree(view, '  ')}`);
    return 0;
  });
}

/** `cmpkit cacerts [--cacertsout FILE]`: the CA certificates of RFC 9483 section 4.3.1. */
export async function caCertsCommand(values: CmpOptionValues, io: Io): Promise<number> {
  return withClient(values, io, [['--cacertsout', values.cacertsout]], async (client) => {
    const certs = await client.getCaCertificates();
    if (values.cacertsout) await writeCertificates('--cacertsout', values.cacertsout, certs);
    io.stdout(`cacerts: ${certs.length} certificate(s)\n${certs.map((c) => `  ${describeCertificate(c) ?? ''}\n`).join('')}`);
    return 0;
  });
}

/** `cmpkit rootupdate --oldroot FILE [--newwithnew F --newwithold F --oldwithnew F]`. */
export async function rootUpdateCommand(values: CmpOptionValues, io: Io): Promise<number> {
  if (!values.oldroot) throw new CliError('rootupdate needs --oldroot (the root CA certificate you trust now)');
  const oldRoot = await readCertificate('--oldroot', values.oldroot);
  const outputs = [
    ['--newwithnew', values.newwithnew],
    ['--newwithold', values.newwithold],
    ['--oldwithnew', values.oldwithnew],
  ] as const;
  return withClient(values, io, outputs, async (client) => {
    const update = await client.getRootCaUpdate(oldRoot);
    if (!update) {
      io.stdout('rootupdate: no root CA update available\n');
      return 0;
    }
    if (values.newwithnew) await writeCertificates('--newwithnew', values.newwithnew, [update.newWithNew]);
    if (values.newwithold && update.newWithOld) await writeCertificates('--newwithold', values.newwithold, [update.newWithOld]);
    if (values.oldwithnew && update.oldWithNew) await writeCertificates('--oldwithnew', values.oldwithnew, [update.oldWithNew]);
    io.stdout(`rootupdate: new root ${describeCertificate(update.newWithNew) ?? ''} (verified with the old root)\n`);
    return 0;
  });
}

/** `cmpkit template [--profile NAME]`: the certificate request template of RFC 9483 section 4.3.3. */
export async function templateCommand(values: CmpOptionValues, io: Io): Promise<number> {
  return withClient(values, io, [], async (client) => {
    const template = await client.getCertReqTemplate(values.profile ? { certProfile: values.profile } : {});
    if (!template) {
      io.stdout('template: the server has no certificate request template\n');
      return 0;
    }
    const view = viewOfValue(template, 'certReqTemplate');
    io.stdout(values.json ? `${JSON.stringify(view, null, 2)}\n` : `template:${renderTree(view, '  ')}`);
    return 0;
  });
}

/** `cmpkit crls --crldp URL [--crlout FILE]`: CRL update retrieval (RFC 9483 section 4.3.4). */
export async function crlsCommand(values: CmpOptionValues, io: Io): Promise<number> {
  if (!values.crldp) throw new CliError('crls needs --crldp URL (the CRL distribution point)');
  const crldp = values.crldp;
  return withClient(values, io, [['--crlout', values.crlout]], async (client) => {
    const crls = await client.getCrls([
      { source: { type: 'dpn', value: { type: 'fullName', value: [{ type: 'uniformResourceIdentifier', value: crldp }] } } },
    ]);
    if (values.crlout) await writeOutputFile('--crlout', values.crlout, crls.map((der) => encodePem('X509 CRL', der)).join(''));
    io.stdout(`crls: ${crls.length} CRL(s)${values.crlout ? ` written to ${values.crlout}` : ''}\n`);
    return 0;
  });
}
