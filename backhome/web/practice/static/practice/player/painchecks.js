// The pain checks without the page: the answers, and the one rule the player applies itself (offline).

// The questions of a check, in the order of the form ("weakness" only after an exercise).
export const ROWS = ["back", "leg", "zone", "numbness", "weakness", "red_flag"];

// Words for an answer the server has not seen yet (offline). No light: only the core gives lights.
export const OFFLINE = {
  why: "You are offline, so backhome cannot check your answers now. They are saved on this phone, and " +
    "backhome will check them as soon as you are back online.",
  rule: "Until then we follow the simple rule for exercising on your own: stop if your back pain or " +
    "leg pain goes up at all, if it spreads further down your leg, or if anything new comes up " +
    "(numbness, weakness or a warning sign).",
  carryOn: "Your pain has not gone up and nothing new came up, so you can carry on. Stop at once if it gets worse.",
  stop: "Do no more exercises today. Rest in a position that is comfortable. Your answers will be " +
    "checked as soon as you are back online.",
  warning: "You told us about a warning sign, or new numbness or weakness: read what to do in an " +
    "emergency now."
};

// The form's values as a check, and the questions left empty. No weakness question "before".
export function readAnswers(values, kind) {
  const answers = {};
  const missing = [];
  for (const name of ROWS) {
    if (name === "weakness" && kind === "before") {
      continue;
    }
    const value = values[name] === undefined ? "" : values[name];
    if (value === "") {
      missing.push(name);
    } else {
      answers[name] = value === "yes" || value === "no" ? value === "yes" : parseInt(value, 10);
    }
  }
  return { answers, missing };
}

// What to say under a question left empty.
export function missingWords(name) {
  if (name === "zone") {
    return "Please choose how far down it reaches.";
  }
  return name === "back" || name === "leg" ? "Please choose a number from 0 to 10." : "Please choose Yes or No.";
}

// PM-F1, the clinic's own stop rule (clinical-spec.md): "stop if any increase in low back pain or
// sciatic pain down the leg". The only rule the player applies itself, and only while the server cannot
// be reached: any rise in back or leg pain, pain further down the leg, new numbness, weakness or a
// warning sign. ``before`` is the check the exercise started from (the latest after-check of the
// session, else the check before it: PM-01). The server's core decides everything else once it has
// the answers.
export function worse(after, before) {
  if (!after) {
    return false;
  }
  before = before || {};
  return !!(after.red_flag || after.weakness || (after.numbness && !before.numbness) ||
    after.back > before.back || after.leg > before.leg || after.zone > before.zone);
}

// A warning sign, weakness or numbness that was not there before: the stop leads to the emergency page.
export function warningSign(check, before) {
  return !!(check && (check.red_flag || check.weakness || (check.numbness && !(before && before.numbness))));
}

// The result for an answer kept on this phone (offline): PM-F1 alone says whether to carry on.
// ``position`` 0 is the check before the session; ``count`` the session's exercises.
export function localResult(position, count, stop, check, before) {
  return {
    local: true, position, end_session: stop, warning: !!stop && warningSign(check, before),
    reasons: [{ text: OFFLINE.why }, { text: OFFLINE.rule }],
    advice: stop ? OFFLINE.stop : OFFLINE.carryOn,
    next_position: stop ? null : (position < count ? position + 1 : null)
  };
}

// The after-check of a one-tap "better" or "about the same": the check the exercise started from, with
// nothing new (no weakness, no warning sign). The server's core still decides: these values are no worse
// than its own pre-exercise check (PM-12's reference), so its rules give the light for "not worse".
// A "worse" asks the whole check instead.
export function unchanged(before) {
  const from = before || {};
  return {
    back: from.back || 0, leg: from.leg || 0, zone: from.zone || 0,
    numbness: !!from.numbness, weakness: false, red_flag: false
  };
}
