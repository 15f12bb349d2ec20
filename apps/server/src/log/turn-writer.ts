/**
 * A writer that collects what is written during one turn of the event loop and passes it on in
 * one call when the turn ends. A busy server logs several lines per request; one write per turn
 * instead of one per line saves a system call each (stderr is synchronous on pipes and files).
 */
export function turnWriter(write: (text: string) => void): (text: string) => void {
  let pending: string[] = [];
  const flush = (): void => {
    const text = pending.join('');
    pending = [];
    write(text);
  };
  return (text) => {
    if (pending.push(text) === 1) setImmediate(flush);
  };
}
