// The player pauses itself when the page is hidden (another app, the phone locked) and carries on with a
// three-second count when it is back. Pure: the page says when it is hidden or shown and how much time
// went by; this says what happens. It keeps its state on the record the caller saves (``auto``, the
// pause is its own; ``countMs``, the count back in), so a reload carries on too.

export const COUNT_MS = 3000;

export class AutoPause {
  constructor(at) {
    this.at = at;
    at.auto = !!at.auto;
    at.countMs = typeof at.countMs === "number" ? at.countMs : null;
  }

  // Counting back in now.
  get counting() {
    return this.at.auto && this.at.countMs !== null;
  }

  // The whole seconds left of the count back in (3, 2, 1), or 0 when not counting.
  get count() {
    return this.counting ? Math.ceil(this.at.countMs / 1000) : 0;
  }

  // The page was hidden. ``running``: the exercise's timer is running now. Returns the events.
  hide(running) {
    if (this.at.auto) {
      this.at.countMs = null; // hidden again while counting back in: wait for the page again
      return [];
    }
    if (!running) {
      return []; // paused by the person, or not exercising: nothing to pause
    }
    this.at.auto = true;
    this.at.countMs = null;
    return [{ type: "pause" }];
  }

  // The page is visible again: start the count back in.
  show() {
    if (!this.at.auto || this.at.countMs !== null) {
      return [];
    }
    this.at.countMs = COUNT_MS;
    return [{ type: "count", n: this.count }];
  }

  // ``ms`` went by while visible: the count's next number, then "resume".
  tick(ms) {
    if (!this.counting) {
      return [];
    }
    const before = this.count;
    this.at.countMs -= ms;
    if (this.at.countMs <= 0) {
      this.cancel();
      return [{ type: "resume" }];
    }
    return this.count < before ? [{ type: "count", n: this.count }] : [];
  }

  // The person took over (pressed Pause or Resume): the pause is theirs now.
  cancel() {
    this.at.auto = false;
    this.at.countMs = null;
  }
}
