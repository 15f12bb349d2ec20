/**
 * @packageDocumentation
 * `@cmpkit/protection`: everything that makes a CMP message trustworthy.
 */
export {};
