/**
 * One delivery run at a time per recipient, so that its entries go out once and in order. A run
 * asked for while one is in progress is queued behind it, and every further ask joins that queued
 * run (its options merged) instead of queueing another: a burst of wake-ups costs one extra run.
 */
export class RecipientLanes<Options, Result> {
  readonly #lanes = new Map<string, Lane<Options, Result>>();
  readonly #run: (recipient: string, options: Options) => Promise<Result>;
  readonly #merge: (queued: Options, asked: Options) => Options;

  /**
   * @param run - one delivery run for a recipient
   * @param merge - the options of a queued run that another ask joins
   */
  constructor(run: (recipient: string, options: Options) => Promise<Result>, merge: (queued: Options, asked: Options) => Options) {
    this.#run = run;
    this.#merge = merge;
  }

  /** Runs for `recipient` now, or after the run in progress (joining a queued one). */
  run(recipient: string, options: Options): Promise<Result> {
    const lane = this.#lanes.get(recipient);
    if (!lane) return this.#start(recipient, () => this.#run(recipient, options));
    if (lane.queued) {
      lane.queued.options = this.#merge(lane.queued.options, options);
      return lane.queued.promise;
    }
    let release!: (result: Promise<Result>) => void;
    const promise = new Promise<Result>((resolve) => (release = resolve));
    lane.queued = { options, promise, release };
    return promise;
  }

  /**
   * When no run is in progress for `recipient`, reserves the lane and returns a function that
   * starts `job` in it; otherwise undefined. For delivering to many recipients with what one
   * bulk read found: no other run can change their state between the read and the job.
   */
  reserve(recipient: string): ((job: () => Promise<Result>) => Promise<Result>) | undefined {
    if (this.#lanes.has(recipient)) return undefined;
    let start!: (job: () => Promise<Result>) => void;
    const gate = new Promise<() => Promise<Result>>((resolve) => (start = resolve));
    const running = this.#start(recipient, () => gate.then((job) => job()));
    return (job) => {
      start(job);
      return running;
    };
  }

  /** Whether a run is in progress (or reserved) for `recipient`. */
  busy(recipient: string): boolean {
    return this.#lanes.has(recipient);
  }

  #start(recipient: string, job: () => Promise<Result>): Promise<Result> {
    const lane: Lane<Options, Result> = {};
    this.#lanes.set(recipient, lane);
    const running = job();
    const next = (): void => {
      const queued = lane.queued;
      if (!queued) {
        this.#lanes.delete(recipient);
        return;
      }
      lane.queued = undefined;
      const promise = this.#run(recipient, queued.options);
      queued.release(promise);
      promise.then(next, next);
    };
    running.then(next, next);
    return running;
  }
}

interface Lane<Options, Result> {
  queued?: { options: Options; promise: Promise<Result>; release(result: Promise<Result>): void } | undefined;
}
