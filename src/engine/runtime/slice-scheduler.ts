/**
 * Fair cooperative scheduling of long read queries. A read query runs in time slices and
 * hands control back between slices (see `drainAsync` in nexus.ts). Yielding with a bare
 * `setImmediate` is not enough under load: every waiting query resumes in the same
 * event-loop turn, so N heavy queries add N slices of delay to every short request.
 * Here a query waits in a per-namespace FIFO and the scheduler resumes ONE slice per
 * event-loop turn, taking namespaces round-robin: between two slices the loop always
 * polls I/O, so a short request waits at most about one slice, and a tenant running many
 * heavy queries gets no more slices than a tenant running one.
 */
export class SliceScheduler {
  /** Waiting slices per namespace; Map order is the round-robin order. */
  private readonly queues = new Map<string, (() => void)[]>();
  private scheduled = false;

  /** Resolves when it is this query's turn to run its next slice. */
  yield(namespace: string): Promise<void> {
    return new Promise<void>((resolve) => {
      let queue = this.queues.get(namespace);
      if (queue === undefined) {
        queue = [];
        this.queues.set(namespace, queue);
      }
      queue.push(resolve);
      this.schedule();
    });
  }

  /** Queries waiting for a slice (for tests and diagnostics). */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.tick);
  }

  private readonly tick = (): void => {
    this.scheduled = false;
    const next = this.queues.entries().next();
    if (next.done === true) return;
    const [namespace, queue] = next.value;
    const resume = queue.shift()!;
    // Move the namespace to the back of the round.
    this.queues.delete(namespace);
    if (queue.length > 0) this.queues.set(namespace, queue);
    if (this.queues.size > 0) this.schedule();
    resume();
  };
}
