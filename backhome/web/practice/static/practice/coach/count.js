// The camera coach's counter: from one person's landmarks, frame by frame, to the phase of the
// exercise (start, moving, in position, returning), the reps and the seconds held in position.
//
// The thresholds are content (backhome/core/content/coach/<exercise>.toml, served as JSON); this
// module only applies them. It is built to be cautious: a frame it cannot read pauses the hold
// clock and never adds to it; a rep counts only when the whole cycle was seen; a phase changes only
// after it has lasted a moment, so noise cannot count reps. It never decides a dose or a stop.
// Pure: feed it frames with their time, read its state and the events it returns.

import { measure } from "./landmarks.js";

export const PHASES = Object.freeze(["start", "moving", "in_position", "returning"]);

const DEFAULTS = Object.freeze({
  min_visibility: 0.5,
  settle_s: 0.25,
  smooth_s: 0.4,
  max_gap_s: 0.5,
  lost_after_s: 1.0,
  hysteresis: 4,
  speak_gap_s: 4,
  fault_s: 0.6,
});

function holds(cond, value, slack) {
  if (value === null || value === undefined) return null;
  if (cond.min !== undefined && value < cond.min - slack) return false;
  if (cond.max !== undefined && value > cond.max + slack) return false;
  return true;
}

// All conditions hold (true), one fails (false), or one cannot be read (null).
function all(conds, values, slack) {
  let unknown = false;
  for (const c of conds) {
    const ok = holds(c, values[c.feature], slack);
    if (ok === false) return false;
    if (ok === null) unknown = true;
  }
  return unknown ? null : true;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * A counter for one exercise.
 * @param {object} config the exercise's coach content (see docs/camera-coach.md)
 * @param {{mode?: string, aspect?: number}} options mode: a timeline such as "extension_only"
 */
export function createCounter(config, options = {}) {
  const cfg = { ...DEFAULTS, ...config };
  const cycle = (options.mode && cfg.modes?.[options.mode]) || cfg.cycle || cfg.positions.map((p) => p.name);
  const positions = cfg.positions.filter((p) => cycle.includes(p.name));
  const needed = new Set([...cfg.start, ...positions.flatMap((p) => p.reach)].map((c) => c.feature));
  const measureOpts = { aspect: options.aspect ?? 1, minVisibility: cfg.min_visibility };

  const history = []; // [t, values] of recent readable frames
  const state = {
    phase: "start",
    position: null, // the position's name while in position
    reps: 0,
    hold_s: 0, // seconds in position, over the whole set
    hold_this_s: 0, // seconds in the current position
    seen: false,
    visited: new Set(),
  };
  let candidate = null; // { key, since }
  let lastValidT = null;
  let lastT = null;
  let lostFrom = null;
  let lost = true;
  let lastSpoken = -Infinity;
  const faultSince = new Map();
  let lastTransit = "moving";

  function smoothed(t) {
    while (history.length && history[0][0] < t - cfg.smooth_s) history.shift();
    const out = {};
    for (const f of needed) out[f] = null;
    const keys = new Set(history.flatMap(([, v]) => Object.keys(v)));
    for (const k of keys) {
      const xs = history.map(([, v]) => v[k]).filter((x) => x !== null && x !== undefined);
      out[k] = xs.length ? median(xs) : null;
    }
    return out;
  }

  function classify(values) {
    // which phase these values show; null when they cannot be read
    for (const p of positions) {
      const slack = state.position === p.name ? cfg.hysteresis : 0;
      const reached = all(p.reach, values, slack);
      if (reached === null) return null;
      if (reached) {
        const form = all(p.form ?? [], values, slack);
        return form === false ? { key: "transit", position: p } : { key: `in:${p.name}`, position: p };
      }
    }
    const atStart = all(cfg.start, values, state.phase === "start" ? cfg.hysteresis : 0);
    if (atStart === null) return null;
    return atStart ? { key: "start" } : { key: "transit" };
  }

  function commit(found, t, events) {
    const before = state.phase;
    const beforePosition = state.position;
    if (found.key === "start") {
      state.phase = "start";
      state.position = null;
      // A rep is the whole cycle: cat-camel passes the start between rounding and sagging.
      if (cycle.every((name) => state.visited.has(name))) {
        state.reps += 1;
        events.push({ type: "rep", reps: state.reps, t });
        state.visited.clear();
      }
      lastTransit = "moving";
    } else if (found.key.startsWith("in:")) {
      state.phase = "in_position";
      if (state.position !== found.position.name) state.hold_this_s = 0;
      state.position = found.position.name;
      lastTransit = "returning";
      if (before !== "in_position" && t - lastSpoken > 1.5) {
        events.push({ type: "say", kind: "cue", text: cfg.cue ?? "Hold", t });
        lastSpoken = t;
      }
    } else {
      state.phase = lastTransit;
      state.position = null;
    }
    if (state.phase !== before || state.position !== beforePosition) events.push({ type: "phase", phase: state.phase, position: state.position, t });
  }

  function corrections(values, t, events) {
    const current = state.phase === "in_position" ? "in_position" : state.phase;
    for (const c of cfg.corrections ?? []) {
      const during = c.during ?? ["moving", "in_position"];
      const faulty = during.includes(current) && holds(c, values[c.feature], 0) === false;
      if (!faulty) {
        faultSince.delete(c.say);
        continue;
      }
      if (!faultSince.has(c.say)) faultSince.set(c.say, t);
      if (t - faultSince.get(c.say) >= cfg.fault_s && t - lastSpoken >= cfg.speak_gap_s) {
        events.push({ type: "say", kind: "correction", text: c.say, t });
        lastSpoken = t;
        faultSince.set(c.say, t);
      }
    }
  }

  /**
   * Read one frame.
   * @param {number} t seconds (any origin, increasing)
   * @param {Array|null} landmarks the landmarker's list for the person, [] or null for nobody
   * @returns {Array<object>} events: phase, rep, say, lost, found
   */
  function push(t, landmarks) {
    const events = [];
    if (lastT !== null && t <= lastT) return events; // out of order: ignore
    lastT = t;
    const values = landmarks && landmarks.length ? measure(landmarks, measureOpts) : null;
    const readable = values !== null && [...needed].every((f) => values[f] !== null);
    if (readable) history.push([t, values]);
    const found = readable ? classify(smoothed(t)) : null;

    if (!found) {
      // one unreadable frame neither restarts a settling phase nor adds to the hold
      if (!lost && (lastValidT === null || t - lastValidT > cfg.lost_after_s)) {
        lost = true;
        candidate = null;
        state.seen = false;
        lostFrom = state.phase === "in_position" ? `in:${state.position}` : state.phase;
        events.push({ type: "lost", t });
      }
      return events;
    }

    if (lost) {
      lost = false;
      state.seen = true;
      history.length = 0;
      history.push([t, values]);
      events.push({ type: "found", t });
      // Back in the frame: the cycle goes on only if they are where they were when we lost them.
      if (lostFrom !== null && found.key !== lostFrom && !(found.key === "transit" && lostFrom !== "start")) {
        state.visited.clear();
        if (found.key !== "start") state.phase = "moving";
      }
      lostFrom = null;
      lastValidT = t;
      candidate = { key: found.key, since: t };
      return events;
    }

    const dt = lastValidT === null ? 0 : t - lastValidT;
    lastValidT = t;

    if (!candidate || candidate.key !== found.key) candidate = { key: found.key, since: t };
    const committedKey = state.phase === "in_position" ? `in:${state.position}` : state.phase === "start" ? "start" : "transit";
    if (candidate.key !== committedKey && t - candidate.since >= cfg.settle_s) commit(found, t, events);

    if (state.phase === "in_position" && candidate.key === `in:${state.position}` && dt <= cfg.max_gap_s) {
      state.hold_s += dt;
      state.hold_this_s += dt;
      state.visited.add(state.position);
    }
    corrections(smoothed(t), t, events);
    return events;
  }

  function snapshot() {
    return {
      phase: state.phase,
      position: state.position,
      reps: state.reps,
      hold_s: Math.round(state.hold_s * 10) / 10,
      hold_this_s: Math.round(state.hold_this_s * 10) / 10,
      seen: state.seen,
    };
  }

  return { push, snapshot };
}
