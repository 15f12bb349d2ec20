/** A writer that passes on what it was given once per event-loop turn. */
export interface TurnWriter {
  write(text: string): void;
  /** Passes on what is pending now (at process exit: the lines of the last turn). */
  flush(): void;
}

/**
 * A writer that collects what is written during one turn of the event loop and passes it on in
 * one call when the turn ends. A busy server logs several lines per request; one write per turn
 * instead of one per line saves a system call each (stderr is synchronous on pipes and files).
 */
export function turnWriter(write: (text: string) => void): TurnWriter {
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    write(text);
  };
  return {
    write(text) {
      if (pending.push(text) === 1) setImmediate(flush);
    },
    flush,
  };
}
