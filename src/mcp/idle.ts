/**
 * Tool calls in flight, so that background work (the warm-up) runs only while none is: a call
 * that arrives while the warm-up holds the thread would wait for loads it may not even need,
 * and loads what it does need itself.
 */
let inFlight = 0;
let waiting: Array<() => void> = [];

/** Counts a call as in flight until the returned function is called. */
export function callStarted(): () => void {
  inFlight++;
  let finished = false;
  return () => {
    if (finished) return;
    finished = true;
    inFlight--;
    if (inFlight > 0) return;
    const resumed = waiting;
    waiting = [];
    for (const resume of resumed) resume();
  };
}

/** Resolves when no call is in flight, after a turn of the event loop that reads a request already sent. */
export async function whenIdle(): Promise<void> {
  do {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (inFlight > 0) await new Promise<void>((resolve) => waiting.push(resolve));
  } while (inFlight > 0);
}
