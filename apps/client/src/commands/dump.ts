import { decodeMessageFile, readDerFile } from '../input.js';
import type { Io } from '../io.js';
import { messageView, renderTree } from '../format/message-view.js';

/** Options of `cmpkit dump`. */
export interface DumpOptions {
  file: string;
  json: boolean;
}

/** `cmpkit dump FILE [--json]`: decodes a PKIMessage (DER, PEM or base64) and prints it. */
export async function dump(options: DumpOptions, io: Io): Promise<number> {
  const message = decodeMessageFile(options.file, await readDerFile('dump', options.file));
  const view = messageView(message);
  io.stdout(options.json ? `${JSON.stringify(view, null, 2)}\n` : `PKIMessage:${renderTree(view, '  ')}`);
  return 0;
}
