// The exercise timer: a pure state machine with no clock of its own (docs/web-session.md, "The script").
// The page passes in the milliseconds gone by; tick() returns what happened, in order: "segment" (a step
// begins), "switch-sides", "rep", "last" (the set's last repetition), "rest", "halfway" (a hold of
// HALFWAY_FROM seconds or more), "done".

export const GET_READY = 5;
export const PHASES = ["move", "hold", "return", "rest"];
export const HALFWAY_FROM = 10;

// Every step of an exercise: for each set and side a get-ready count, then each repetition's timeline
// (the picture's own steps and timing).
export function segments(ex, getReady = GET_READY) {
  const out = [];
  const { sets, reps } = ex.dose;
  const sides = ex.dose.per_side ? ["left", "right"] : [null];
  for (let set = 1; set <= sets; set++) {
    for (const side of sides) {
      out.push({
        kind: "ready", phase: "ready", seconds: getReady, set, side, rep: 1, reps, sets,
        caption: "Get into the start position"
      });
      for (let rep = 1; rep <= reps; rep++) {
        let shown = -1;
        ex.timeline.forEach((step, i) => {
          // The picture's phase only moves forward within a repetition (cat-camel moves between
          // its two holds inside the "hold" phase of the picture).
          shown = Math.max(shown, PHASES.indexOf(step.phase));
          out.push({
            kind: "step", phase: step.phase, picture: PHASES[shown], seconds: step.seconds,
            caption: step.caption, set, side, rep, reps, sets, first: i === 0
          });
        });
      }
    }
  }
  return out;
}

export class Timer {
  // ``at``: the record the caller saves; the timer uses only its ``seg``, ``segMs`` and ``paused``, so a
  // reload carries on from the saved step.
  constructor(segs, at) {
    this.segs = segs;
    this.at = at;
    at.seg = at.seg || 0;
    at.segMs = at.segMs || 0;
    at.paused = !!at.paused;
  }

  get finished() {
    return this.at.seg >= this.segs.length;
  }

  get paused() {
    return this.at.paused;
  }

  // The segment on show (the last one once the exercise is over).
  current() {
    return this.segs[this.at.seg] || this.segs[this.segs.length - 1];
  }

  // Milliseconds left in the segment on show.
  left() {
    return Math.max(0, this.current().seconds * 1000 - this.at.segMs);
  }

  // Sets finished on every side so far.
  setsDone() {
    const seg = this.segs[this.at.seg];
    return seg ? seg.set - 1 : this.segs[this.segs.length - 1].sets;
  }

  // Start (or start again) from the current segment: its events, as if it had just begun.
  start() {
    this.at.paused = false;
    return this.finished ? [] : this.entered(this.at.seg);
  }

  pause() {
    this.at.paused = true;
  }

  resume() {
    this.at.paused = false;
  }

  // Pause when running, run when paused; returns whether it is paused now.
  toggle() {
    this.at.paused = !this.at.paused;
    return this.at.paused;
  }

  // ``ms`` milliseconds went by: move on, and return what happened. Nothing moves while paused or over.
  tick(ms) {
    const events = [];
    let passed = ms;
    while (passed > 0 && !this.at.paused && !this.finished) {
      const seg = this.segs[this.at.seg];
      const total = seg.seconds * 1000;
      const left = total - this.at.segMs;
      const used = Math.min(passed, left);
      const half = total / 2;
      if (seg.phase === "hold" && seg.seconds >= HALFWAY_FROM && this.at.segMs < half && this.at.segMs + used >= half) {
        events.push({ type: "halfway", seg });
      }
      if (passed < left) {
        this.at.segMs += passed;
        passed = 0;
      } else {
        passed -= left;
        this.at.seg += 1;
        this.at.segMs = 0;
        if (this.finished) {
          events.push({ type: "done" });
        } else {
          events.push(...this.entered(this.at.seg));
        }
      }
    }
    return events;
  }

  // The events of segment ``index`` beginning.
  entered(index) {
    const seg = this.segs[index];
    const before = index > 0 ? this.segs[index - 1] : null;
    const events = [{ type: "segment", index, seg }];
    if (seg.kind === "ready" && before && seg.side && before.side !== seg.side) {
      events.push({ type: "switch-sides", side: seg.side });
    }
    if (seg.kind === "step" && seg.first) {
      events.push({ type: "rep", rep: seg.rep, reps: seg.reps, set: seg.set, side: seg.side });
      if (seg.rep === seg.reps && seg.reps > 1) {
        events.push({ type: "last", rep: seg.rep, set: seg.set, side: seg.side });
      }
    }
    if (seg.kind === "step" && seg.phase === "rest") {
      events.push({ type: "rest", seconds: seg.seconds });
    }
    return events;
  }
}
