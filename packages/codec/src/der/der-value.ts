/**
 * A value cmpkit passes through without interpreting it: its complete DER encoding
 * (identifier, length and contents). Used for `ANY` fields, certificates, CRLs and CMS content.
 */
export interface DerValue {
  der: Uint8Array;
}
