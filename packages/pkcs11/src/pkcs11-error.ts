/**
 * A PKCS#11 URI that does not parse, a token or key it names that is not there, a module that
 * does not load, a PIN the token refuses. The message starts with `pkcs11:` and names the URI or
 * the module; a PIN never appears in it.
 */
export class Pkcs11Error extends Error {
  static override readonly name = 'Pkcs11Error';
  override readonly name = 'Pkcs11Error';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
