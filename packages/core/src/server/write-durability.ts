/**
 * A store whose writes become durable after the call that made them (a write batch, a group
 * commit). The server takes a mark before it handles a request and awaits `flush(mark)` before
 * the answer leaves (ARCHITECTURE.md decision 6: what a response reports is stored); when the
 * flush rejects, the writes are lost and the request is answered with an error instead.
 */
export interface WriteDurability {
  /** A mark to pass to {@link flush}: take it before a request runs. */
  writeMark(): number;
  /**
   * Resolves once everything written so far is committed and durable. With `since` (a
   * {@link writeMark}) it rejects when writes made after the mark were lost.
   */
  flush(since?: number): Promise<void>;
}
