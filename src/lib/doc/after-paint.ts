// Work the document page does not need for its first frame (the diff between signed versions,
// the live connection) waits until that frame is painted: a task queued from a requestAnimationFrame
// callback runs after the frame it belongs to. Hidden tabs get no frames, so a timeout runs it anyway.

/** Runs `fn` once, after the next frame is painted (or after `maxWaitMs` when no frame comes); the returned function cancels it. */
export function afterPaint(fn: () => void, maxWaitMs = 200): () => void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(fallback);
    fn();
  };
  const fallback = setTimeout(run, maxWaitMs);
  const frame = requestAnimationFrame(() => setTimeout(run, 0));
  return () => {
    done = true;
    clearTimeout(fallback);
    cancelAnimationFrame(frame);
  };
}
