// What the player says and buzzes for the timer's events (player/timer.js), without the page: the voice
// leads a person who is lying on the floor and cannot see the screen. Pure: player.js speaks the words.

// A short buzz for a new repetition, two for the last one, a long one to switch sides or to rest.
export const BUZZ = { rep: [60], last: [60, 80, 60], "switch-sides": [300], rest: [150], done: [200, 100, 200] };

// The words of one segment beginning: the get-ready count names the exercise and side; a step says
// its own caption when it is the first of a repetition, a hold, or long enough to be heard.
function segmentWords(seg, ex) {
  if (seg.kind === "ready") {
    return "Get ready. " + ex.name + (seg.side ? ", " + seg.side + " side." : ".");
  }
  if (seg.first || seg.phase === "hold" || seg.seconds >= 2) {
    return seg.caption;
  }
  return null;
}

// The spoken cue of one event, or null when it has none.
export function cue(event, ex) {
  switch (event.type) {
  case "segment":
    return segmentWords(event.seg, ex);
  case "rep":
    // The last repetition has words of its own.
    return event.rep === event.reps && event.reps > 1 ? null : "Rep " + event.rep + " of " + event.reps + ".";
  case "last":
    return "Last one.";
  case "switch-sides":
    return "Switch sides: now your " + event.side + " side.";
  case "halfway":
    return "Halfway.";
  case "rest":
    return "Rest.";
  default:
    return null;
  }
}

// Everything to say for the events of one tick, in the order a person needs them: where they are
// (side, repetition) before what to do (the step's caption).
export function cues(events, ex) {
  const first = [];
  const then = [];
  for (const event of events) {
    const words = cue(event, ex);
    if (words) {
      (event.type === "segment" ? then : first).push(words);
    }
  }
  return first.concat(then);
}

// The vibration pattern for the events of one tick (the strongest one), or null.
export function buzz(events) {
  const order = ["done", "switch-sides", "last", "rest", "rep"];
  for (const type of order) {
    if (events.some((e) => e.type === type)) {
      return BUZZ[type];
    }
  }
  return null;
}
