import type { GeneralName } from '@cmpkit/codec';

/** Who sent a request, as established by its protection. */
export type Requester =
  | {
      /** MAC protection with a shared secret. */
      kind: 'mac';
      sender: GeneralName;
      senderKID?: Uint8Array;
    }
  | {
      /** Signature protection with a certificate path to the server's anchors. */
      kind: 'signature';
      sender: GeneralName;
      /** The signer's certificate (DER). */
      certificate: Uint8Array;
      /** The verified path, signer first. */
      path: readonly Uint8Array[];
      /** True when the path ends at an external anchor (manufacturer certificate, RFC 9483 4.1.1). */
      external: boolean;
    }
  | {
      /**
       * KEM-based MAC protection (RFC 9810 section 5.1.3.4) with the shared secret the server
       * encapsulated to this ML-KEM certificate earlier in the transaction (genm KemCiphertextInfo).
       */
      kind: 'kem';
      sender: GeneralName;
      /** The requester's ML-KEM certificate (DER). */
      certificate: Uint8Array;
      /** Its verified path, certificate first. */
      path: readonly Uint8Array[];
    }
  | {
      /** No protection (only with acceptUnprotected). */
      kind: 'unprotected';
      sender: GeneralName;
    };
