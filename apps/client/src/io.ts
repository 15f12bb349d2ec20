/** Where a command writes; injected so tests can capture it. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Stops long-running commands (`listen`) when aborted; the bin wires SIGINT and SIGTERM to it. */
  signal?: AbortSignal;
}
