import { decodePKIMessage } from '@cmpkit/codec';
import { writeOutputFile } from './files.js';
import type { Transport } from '@cmpkit/core';
import { messageView, renderTree } from './format/message-view.js';
import type { Io } from './io.js';

/** Where the CLI keeps copies of what it sends and receives. */
export interface RecordingOptions {
  /** Files for the requests, in order (`--reqout a.der,b.der`); the last is reused with a counter. */
  reqout?: readonly string[];
  /** Files for the responses, in order. */
  rspout?: readonly string[];
  /** Print every message as a tree on stderr. */
  verbose?: boolean;
}

function fileFor(files: readonly string[] | undefined, n: number): string | undefined {
  if (!files?.length) return undefined;
  return files[n] ?? `${files[files.length - 1]}.${n + 1}`;
}

function dump(io: Io, direction: string, der: Uint8Array): void {
  try {
    io.stderr(`${direction}:${renderTree(messageView(decodePKIMessage(der)), '  ')}`);
  } catch (error) {
    io.stderr(`${direction}: (${der.length} bytes, not decodable: ${(error as Error).message})\n`);
  }
}

/** A transport that keeps what it received last. */
export interface RecordingTransport extends Transport {
  /** The last response received (DER), for explaining a failure. */
  lastResponse(): Uint8Array | undefined;
}

/** Wraps a transport so that every message is saved (`--reqout`/`--rspout`) and shown (`--verbose`). */
export function recordingTransport(inner: Transport, options: RecordingOptions, io: Io): RecordingTransport {
  let n = 0;
  let last: Uint8Array | undefined;
  return {
    lastResponse: () => last,
    async send(request, sendOptions) {
      const index = n++;
      const reqFile = fileFor(options.reqout, index);
      if (reqFile) await writeOutputFile('--reqout', reqFile, request);
      if (options.verbose) dump(io, 'request', request);
      const response = await inner.send(request, sendOptions);
      last = response;
      const rspFile = fileFor(options.rspout, index);
      if (rspFile) await writeOutputFile('--rspout', rspFile, response);
      if (options.verbose) dump(io, 'response', response);
      return response;
    },
  };
}
