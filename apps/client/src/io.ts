/** Where a command writes; injected so tests can capture it. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}
