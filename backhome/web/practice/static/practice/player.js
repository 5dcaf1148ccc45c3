// The guided session player's flow (docs/web-session.md, "The script"). It times, counts, asks and shows;
// it decides nothing about pain: every light, stop and advice comes from the server, which asks the core.
// The server's logs say which exercises are done; localStorage (keyed by the session's UUID) remembers
// where in an exercise the person was. Every write waits in the outbox until the server has it; while
// offline the player applies PM-F1 alone (player/painchecks.js).
import { outbox as OUTBOX } from "./offline.js";
import { AutoPause } from "./player/autopause.js";
import { attachCoach } from "./player/coach.js";
import { buzz, cues } from "./player/cues.js";
import { localResult, unchanged, worse } from "./player/painchecks.js";
import { recall, savedStates, store } from "./player/saved.js";
import { beep, freeScreen, holdScreen, isMuted, say, sayAll, setMuted, vibrate, wakeAudio } from "./player/sound.js";
import { PHASES, segments, Timer } from "./player/timer.js";
import { $, clearErrors, readCheck, ring, show, stage, text, where } from "./player/view.js";

// The light's badge in our own words (never a colour's name, never colour alone).
const BADGES = { green: "Went well", amber: "Take it gently", red: "Stopped" };
const PHASE_NAMES = { ready: "Get ready", move: "Move", hold: "Hold", "return": "Come back", rest: "Relax" };
const TONES = { ready: 440, move: 660, hold: 880, "return": 660, rest: 523 };
const PREFIX = "backhome.session.";
const TICK = 200;

const dataNode = document.getElementById("player-data");
const DATA = dataNode ? JSON.parse(dataNode.textContent) : null;
const WORDS = dataNode ? JSON.parse(document.getElementById("light-words").textContent) : null;
const EX = DATA ? DATA.exercises : [];
// A copy the service worker kept (offline): what this device saved since is newer than the page.
const FROM_CACHE = !!DATA && $("player").getAttribute("data-source") === "cache";

function uuid4() {
  if (window.crypto && crypto.randomUUID) {
    return crypto.randomUUID();
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  const h = Array.prototype.map.call(b, (x) => (x + 256).toString(16).slice(1)).join("");
  return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
}

function today() {
  const d = new Date();
  return d.getFullYear() + "-" + (d.getMonth() + 1) + "-" + d.getDate();
}

function url(name, id, log) {
  return DATA.urls[name].replace("{id}", id || "").replace("{log}", log || "");
}

// ------------------------------------------------------------------ the state of the session

// ``state`` is what is saved on this device; ``timer`` times the exercise on show (it works on
// state.seg, state.segMs and state.paused, so a reload carries on from the saved step).
let state = null;
let timer = null;
// The pause of its own when the page is hidden (player/autopause.js), on the same saved record.
let away = null;
let ticker = null;
let lastTick = 0;
let busy = false;
let retry = null;
let coach = null; // the camera coach's offer for the exercise on screen (player/coach.js)

function current() {
  return EX[state.position - 1];
}
// The timer of the current exercise, from its saved step.
function newTimer() {
  timer = new Timer(segments(current()), state);
  away = new AutoPause(state);
}
function save() {
  if (state && state.id) {
    state.touched = Date.now();
    state.day = state.day || today();
    store(PREFIX + state.id, state);
  }
}
function problem(message, again) {
  retry = again;
  text($("problem-text"), message);
  show($("problem"), true);
  $("problem").focus();
}
function clearProblem() {
  show($("problem"), false);
  retry = null;
}
function showMute() {
  $("mute").setAttribute("aria-pressed", isMuted() ? "true" : "false");
}

// ------------------------------------------------------------------ the pain check

const form = $("check-form");

function askCheck(kind) {
  // kind: "before", "after" or "hurts"
  coach = attachCoach(coach, null);
  state.stage = kind === "before" ? "before" : "check";
  state.itHurts = kind === "hurts";
  form.reset();
  clearErrors(form);
  form.classList.toggle("before", kind === "before");
  show($("check-intro"), kind === "before");
  show($("check-lead"), kind !== "before");
  const ex = kind === "before" ? null : current();
  if (kind === "before") {
    text($("check-title"), "Before you start");
    text($("check-send"), "Start the session");
    where("Today's session");
  } else {
    text($("check-title"), kind === "hurts" ? "It hurts: tell us how you feel now" : "How do you feel now?");
    text($("check-lead"), kind === "hurts"
      ? "Stop " + ex.name + " and rest in a comfortable position. Then answer these questions."
      : "You said it feels worse after " + ex.name + ". Tell us how, so we can tell you what to do.");
    text($("check-send"), "Send");
    where("Exercise " + state.position + " of " + EX.length);
    say(kind === "hurts" ? "Stop the exercise. Tell us how you feel now." : "Tell us how it feels worse.");
  }
  save();
  stage("stage-check", $("check-title"));
}

// One tap after an exercise: better, about the same or worse than before it. Only "worse" asks the
// whole check; the server's core decides on every answer (see unchanged() in player/painchecks.js).
function askFelt() {
  state.stage = "felt";
  state.itHurts = false;
  text($("felt-lead"), "You have finished " + current().name + ".");
  where("Exercise " + state.position + " of " + EX.length);
  say("Done. Compared with before this exercise, does your back feel better, the same, or worse?");
  save();
  stage("stage-felt", $("felt-title"));
}
function felt(how) {
  if (busy || !state || state.stage !== "felt") {
    return;
  }
  wakeAudio();
  if (how === "worse") {
    askCheck("after");
    return;
  }
  const body = {
    id: uuid4(), position: state.position, skipped: false, sets_done: current().dose.sets,
    it_hurts: false, after: unchanged(state.last)
  };
  state.pending = body;
  save();
  sendLog(body);
}

function submitCheck(event) {
  event.preventDefault();
  if (busy) {
    return;
  }
  const kind = state.stage === "before" || state.stage === "starting" ? "before" : "after";
  const check = readCheck(form, kind);
  if (!check) {
    return;
  }
  wakeAudio();
  if (kind === "before") {
    const first = { id: uuid4(), before: check };
    state = { v: 1, id: first.id, stage: "starting", starting: first, position: 1, seg: 0, segMs: 0, paused: false };
    save();
    start(first);
  } else {
    const body = {
      id: uuid4(), position: state.position, skipped: false,
      sets_done: state.itHurts ? state.hurtSets || 0 : current().dose.sets,
      it_hurts: !!state.itHurts, after: check
    };
    state.pending = body;
    save();
    sendLog(body);
  }
}

// ------------------------------------------------------------------ talking to the server

// A write: queued in the outbox, then sent. ``onServer`` gets the server's answer; ``onLocal`` runs
// when the write stays on this phone for later (offline, a server error, no answer in time).
function send(kind, address, body, onServer, onLocal) {
  busy = true;
  clearProblem();
  const sending = document.querySelectorAll("#player button[type=submit], #next, #skip, .felt-choices button");
  sending.forEach((b) => { b.disabled = true; });
  const id = kind === "finish" ? "finish-" + state.id : kind === "recheck" ? "recheck-" + address : body.id;
  const item = { id, kind, session: kind === "start" ? body.id : state.id, url: address, body };
  OUTBOX.add(item, (outcome) => {
    busy = false;
    sending.forEach((b) => { b.disabled = false; });
    const code = outcome.json && outcome.json.error && outcome.json.error.code;
    const message = outcome.json && outcome.json.error && outcome.json.error.message;
    if (outcome.ok) {
      onServer(outcome.json);
    } else if (outcome.later) {
      onLocal();
    } else if (kind === "finish" && (code === "ended" || code === "recheck_pending")) {
      leave(state.done || "stopped"); // the server has already ended it, or waits for a re-check
    } else if (outcome.status === 409 || outcome.status === 404) {
      // The server knows better (another tab, an ended session): show its state.
      problem(message || "Something changed.", () => {
        window.location.reload();
      });
    } else {
      problem(message || "Something went wrong. Please try again.",
        () => { send(kind, address, body, onServer, onLocal); });
    }
  });
}

function start(body) {
  send("start", DATA.urls.start, body, (session) => {
    if (!sameProgramme(session.programme)) {
      store(PREFIX + body.id, null);
      window.location.reload(); // the programme changed since the page loaded
      return;
    }
    state = { v: 1, id: session.id, stage: "intro", position: session.next_position || 1, seg: 0, segMs: 0, paused: false, last: body.before };
    if (session.status === "stopped") {
      showResult({ light: "red", end_session: true, rules: session.stop.rules, advice: session.stop.advice, reasons: [], position: 0 });
      return;
    }
    save();
    intro();
  }, () => {
    state = { v: 1, id: body.id, stage: "intro", position: 1, seg: 0, segMs: 0, paused: false, last: body.before };
    if (body.before.red_flag) { // PM-14 before the start: a warning sign stops the session
      showLocal(0, true, body.before);
      return;
    }
    save();
    intro();
  });
}
function sameProgramme(programme) {
  return programme.length === EX.length && programme.every((item, i) =>
    item.exercise_id === EX[i].exercise_id && JSON.stringify(item.dose) === JSON.stringify(EX[i].dose));
}
function sendLog(body) {
  const from = state.last;
  send("log", url("log", state.id), body, (result) => {
    state.pending = null;
    state.last = body.after;
    state.did = (state.did || 0) + 1;
    showResult(result);
  }, () => {
    state.pending = null;
    state.last = body.after;
    state.did = (state.did || 0) + 1;
    showLocal(body.position, worse(body.after, from), body.after, from);
    state.result.logId = body.id;
    save();
  });
}
function sendSkip(body) {
  send("log", url("log", state.id), body, (result) => {
    state.pending = null;
    setPicture(null, false);
    next(result);
  }, () => {
    state.pending = null;
    setPicture(null, false);
    next({ local: true, position: body.position, skipped: true, next_position: body.position < EX.length ? body.position + 1 : null });
  });
}
// Send again the answer that was being sent when the page closed.
function sendPending(body) {
  if (body.skipped) {
    sendSkip(body);
  } else {
    sendLog(body);
  }
}

// ------------------------------------------------------------------ one exercise

function intro() {
  state.stage = "intro";
  state.seg = 0;
  state.segMs = 0;
  state.paused = false;
  newTimer();
  place();
  setPicture(timer.current(), false);
  render();
  save();
  where("Exercise " + state.position + " of " + EX.length);
  stage("stage-exercise", $("ex-" + state.position + "-name"));
}
// Put the exercise's own card (name, picture, steps) into the stage.
function place() {
  const slot = $("slot");
  const card = $("ex-" + state.position);
  if (card.parentNode !== slot) {
    while (slot.firstChild) {
      $("ex-list").appendChild(slot.firstChild);
    }
    slot.appendChild(card);
  }
  // The camera only counts (kept on this phone with the session's state); it never changes the dose.
  coach = attachCoach(coach, current(), $("timer-panel"), { say, onCounts: (counts) => {
    state.camera = Object.assign({}, state.camera, { [state.position]: counts });
    save();
  } });
}
function picture() {
  return $("picture-" + state.position);
}
function setPicture(seg, restart) {
  const pic = picture();
  PHASES.forEach((p) => { pic.classList.remove("phase-" + p); });
  const ex = current();
  pic.classList.toggle("side-mirror", !!(seg && seg.side && ex.drawn_side && seg.side !== ex.drawn_side));
  if (seg && seg.kind === "step") {
    if (restart) {
      void pic.offsetWidth; // let the same phase play again from its start
    }
    pic.classList.add("phase-" + seg.picture);
  }
  pic.classList.toggle("paused", !!state.paused);
}

function counter(seg) {
  const d = current().dose;
  const parts = ["Rep " + seg.rep + " of " + d.reps, "Set " + seg.set + " of " + d.sets];
  if (seg.side) {
    parts.push(seg.side === "left" ? "Left side" : "Right side");
  }
  return parts.join(" \u00b7 ");
}
function render() {
  const running = state.stage === "run";
  const seg = timer.current();
  const left = timer.left();
  const whole = Math.ceil(left / 1000);
  text($("counter"), counter(seg));
  const counting = !!away && away.counting;
  text($("phase-name"), counting ? "Back in" : state.paused ? "Paused" : PHASE_NAMES[seg.phase]);
  text($("time"), String(counting ? away.count : whole));
  text($("time-unit"), (counting ? away.count : whole) === 1 ? "second" : "seconds");
  ring($("ring-bar"), left, seg.seconds * 1000);
  $("timer-panel").className = "timer-panel phase-" + seg.phase;
  const caption = state.stage === "intro" ? "Read the steps, get into the start position, then press Start."
    : counting ? "Welcome back. Get into position: we carry on in " + away.count + "."
      : state.auto ? "Paused while the screen was off. We carry on with a count of three when you are back."
        : state.paused ? "Paused. Press Resume when you are ready." : seg.caption;
  if ($("caption").textContent !== caption) {
    text($("caption"), caption);
  }
  show($("go"), !running);
  show($("pause"), running);
  const stopped = state.paused && !counting;
  text($("pause"), stopped ? "Resume" : "Pause");
  $("pause").setAttribute("aria-pressed", stopped ? "true" : "false");
  setPictureState();
}
function setPictureState() {
  picture().classList.toggle("paused", !!state.paused);
}
function enter(seg) {
  setPicture(seg, seg.kind === "step" && seg.first);
  beep(TONES[seg.phase], seg.phase === "hold" ? 350 : 160);
}
// The timer's events: the page shows and beeps each segment as it begins; the voice says the side, the
// repetition, "halfway", "last one", "rest" and the step (player/cues.js); the phone buzzes.
function follow(events) {
  const words = cues(events, current());
  if (words.length) {
    sayAll(words);
  }
  const pattern = buzz(events);
  if (pattern) {
    vibrate(pattern);
  }
  for (const event of events) {
    if (event.type === "segment") {
      enter(event.seg);
    } else if (event.type === "done") {
      finishExercise();
      return false;
    }
  }
  return true;
}

function tick() {
  const now = Date.now();
  const passed = now - lastTick;
  lastTick = now;
  if (!state) {
    return;
  }
  if (state.stage === "rest") {
    state.restMs += passed;
    renderRest();
    save();
    return;
  }
  if (state.stage === "run" && away && away.counting) {
    backIn(away.tick(passed));
    return;
  }
  if (state.stage !== "run" || state.paused) {
    return;
  }
  if (follow(timer.tick(passed))) {
    render();
    save();
  }
}
function clock() {
  if (!ticker) {
    lastTick = Date.now();
    ticker = window.setInterval(tick, TICK);
  }
}

// Full screen on the person's tap, where the browser has it (the layout works without it).
function fullScreen() {
  const root = document.documentElement;
  if (document.fullscreenEnabled && !document.fullscreenElement && root.requestFullscreen) {
    root.requestFullscreen({ navigationUI: "hide" }).catch(() => {});
  }
}
function leaveFullScreen() {
  if (document.fullscreenElement && document.exitFullscreen) {
    document.exitFullscreen().catch(() => {});
  }
}
function go() {
  wakeAudio();
  holdScreen();
  fullScreen();
  state.stage = "run";
  lastTick = Date.now();
  follow(timer.start());
  render();
  save();
  $("pause").focus({ preventScroll: true });
  window.scrollTo(0, 0); // the whole exercise on one screen, from its name down to the buttons
}
function pause() {
  let paused;
  if (state.auto) {
    away.cancel(); // the person takes over: it stays paused until they press Resume
    timer.pause();
    paused = true;
  } else {
    paused = timer.toggle();
  }
  lastTick = Date.now();
  say(paused ? "Paused." : "Carry on.");
  render();
  save();
}
// Sets finished on every side so far (while exercising).
function setsDone() {
  if (state.stage !== "run" || !timer) {
    return 0;
  }
  return timer.setsDone();
}
function finishExercise() {
  state.seg = timer.segs.length;
  beep(880, 500);
  setPicture(null, false);
  askFelt();
}
function hurts() {
  state.hurtSets = setsDone();
  away.cancel();
  state.paused = true;
  setPicture(null, false);
  askCheck("hurts");
}
function skip() {
  if (busy) {
    return;
  }
  const body = {
    id: uuid4(), position: state.position, sets_done: setsDone(), skipped: true, it_hurts: false
  };
  away.cancel();
  state.paused = true;
  state.pending = body;
  save();
  sendSkip(body);
}

// ------------------------------------------------------------------ results, re-checks, stops

function nextPosition(result) {
  if (result.next_position !== undefined) {
    return result.next_position;
  }
  return result.position < EX.length ? result.position + 1 : null;
}
// An answer that stays on this phone for now: PM-F1 alone says whether to carry on (see worse()).
function showLocal(position, stop, check, from) {
  showResult(localResult(position, EX.length, stop, check, from));
}
function showResult(result) {
  state.stage = "result";
  state.result = result;
  const box = $("result");
  const light = result.local ? (result.end_session ? "red" : "saved") : result.needs_recheck ? "wait" : (result.light || "skip");
  box.className = "result light-" + light;
  text($("result-of"), result.position ? "Exercise " + result.position + ": " + EX[result.position - 1].name : "Before the session");
  if (result.local) {
    text($("light-title"), result.end_session ? "Stopped" : "Saved on this phone");
    text($("result-title"), result.end_session ? "This exercise was stopped" : "Not checked yet");
  } else if (result.needs_recheck) {
    text($("light-title"), "Rest first");
    text($("result-title"), "Rest, then check your back again");
  } else if (result.light) {
    text($("light-title"), BADGES[result.light]);
    text($("result-title"), WORDS[result.light][1]);
  } else {
    text($("light-title"), "Skipped");
    text($("result-title"), "You skipped this exercise");
  }
  const list = $("result-reasons");
  list.replaceChildren();
  (result.reasons || []).forEach((reason) => {
    const item = document.createElement("li");
    text(item, reason.text);
    list.appendChild(item);
  });
  const ended = !!result.end_session;
  text($("result-advice"), ended ? "" : result.advice || "");
  show($("stop"), ended);
  show($("recheck"), !!result.needs_recheck);
  if (ended) {
    text($("stop-advice"), result.advice);
    const rules = result.rules || [];
    if (!result.local && rules.indexOf("PM-14") >= 0) {
      // B25/B31: a warning sign ends the session and the server has opened the red-flag questions: go there now.
      location.assign($("stop-rescreen").querySelector("a").href);
      return;
    }
    show($("stop-rescreen"), !result.local && rules.indexOf("PM-11") >= 0);
    show($("stop-emergency"), !!result.warning);
    text($("next"), result.local ? "End the session" : "See your summary");
    beep(330, 600);
    say("Stop. Your session has ended. " + result.advice);
    freeScreen();
  } else if (result.needs_recheck) {
    text($("next"), "");
    state.stage = "rest";
    state.restMs = state.restMs && state.restFor === result.id ? state.restMs : 0;
    state.restFor = result.id;
    state.restTotal = (result.recheck_minutes || 5) * 60000;
    $("settled-form").reset();
    renderRest();
    say("Stop this exercise and rest. We will ask about your back pain again in " + (result.recheck_minutes || 5) + " minutes.");
  } else {
    text($("next"), nextPosition(result) ? "Next exercise" : "Finish the session");
    say(result.local ? "Saved on this phone." : WORDS[result.light][1] + ".");
  }
  show($("next"), !result.needs_recheck);
  where(result.position ? "Exercise " + result.position + " of " + EX.length : "Today's session");
  save();
  stage("stage-result", $("result-title"));
}
function renderRest() {
  const left = Math.max(0, state.restTotal - state.restMs);
  const whole = Math.ceil(left / 1000);
  text($("rest-time"), Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0"));
  ring($("rest-bar"), left, state.restTotal);
  const ready = left === 0;
  if (ready && $("settled-form").hidden) {
    beep(880, 400);
    say("Has your back pain come back down to where it was before?");
  }
  show($("settled-form"), ready);
}
function submitSettled(event) {
  event.preventDefault();
  const value = $("settled-form").elements.settled.value;
  if (!value || busy) {
    $("settled-yes").focus();
    return;
  }
  const settled = value === "yes";
  const position = state.result.position;
  send("recheck", url("recheck", state.id, state.result.id), { settled }, (result) => {
    showResult(result);
  }, () => {
    // Offline: pain that has not come back down is pain that went up (PM-F1): stop.
    showLocal(position, !settled, null);
  });
}

function next(result) {
  const ended = result.end_session || (state.result && state.result.end_session);
  const position = nextPosition(result);
  if (ended && !result.local) {
    leave("stopped"); // the server has stopped the session
    return;
  }
  if (position && !ended) {
    state.position = position;
    state.result = null;
    intro();
    return;
  }
  // The last exercise, or a stop on this phone (the server stops it itself if the core says so).
  const how = ended ? "stopped" : "finished";
  state.done = how;
  save();
  send("finish", url("finish", state.id), {}, () => { leave(how); }, () => { leave(how); });
}
function leave(how) {
  freeScreen();
  leaveFullScreen();
  if (OUTBOX.has(state.id) || navigator.onLine === false) {
    showDone(how); // the summary needs the server: it waits until everything is sent
    return;
  }
  const id = state.id;
  store(PREFIX + id, null);
  state = null;
  window.location.assign(url("summary", id));
}
function showDone(how) {
  state.stage = "done";
  state.done = how;
  state.result = null;
  save();
  const did = state.did || 0;
  text($("done-title"), how === "stopped" ? "Your session was stopped, for your safety"
    : did ? "Well done: today's session is done" : "Today's session is over");
  $("done-summary-link").setAttribute("href", url("summary", state.id));
  doneStatus();
  where("Today's session");
  stage("stage-done", $("done-title"));
}
// An answer that waited on this phone has reached the server: its verdict replaces "You are offline".
function serverVerdict() {
  if (!state || state.stage !== "result" || !state.result || !state.result.local || !state.result.logId) {
    return;
  }
  const known = OUTBOX.remembered(state.result.logId);
  if (known && known.json) {
    showResult(known.json);
  }
}
function doneStatus() {
  serverVerdict();
  if (!state || state.stage !== "done") {
    return;
  }
  const sent = !OUTBOX.has(state.id);
  show($("done-waiting"), !sent);
  show($("done-sent"), sent);
  show($("done-summary"), sent);
}
// ------------------------------------------------------------------ away from the page

// The page was hidden or the phone locked: an exercise that is running pauses itself.
function hidden() {
  if (!state || !away || state.stage !== "run") {
    return;
  }
  if (away.hide(!state.paused).length) {
    timer.pause();
    setPictureState();
  }
  render();
  save();
}
// Back on the page: after a pause of its own, a count of three, then the exercise carries on.
function shown() {
  lastTick = Date.now(); // the time away does not count
  if (!state || !away || state.stage !== "run") {
    return;
  }
  holdScreen();
  backIn(away.show());
}
function backIn(events) {
  for (const event of events) {
    if (event.type === "count") {
      beep(523, 120);
      say(event.n === 3 ? "Welcome back. Carry on in 3" : String(event.n));
    } else if (event.type === "resume") {
      timer.resume();
      lastTick = Date.now();
      say("Carry on.");
    }
  }
  render();
  save();
}

// ------------------------------------------------------------------ buttons

function listen() {
  form.addEventListener("submit", submitCheck);
  $("settled-form").addEventListener("submit", submitSettled);
  OUTBOX.onChange(doneStatus);
  $("go").addEventListener("click", go);
  $("felt-better").addEventListener("click", () => { felt("better"); });
  $("felt-same").addEventListener("click", () => { felt("same"); });
  $("felt-worse").addEventListener("click", () => { felt("worse"); });
  // A new warning sign with no more pain: the whole check too, its warning-sign question included (PM-14).
  $("felt-new").addEventListener("click", () => { felt("worse"); });
  $("pause").addEventListener("click", pause);
  $("hurts").addEventListener("click", hurts);
  $("skip").addEventListener("click", skip);
  $("next").addEventListener("click", () => {
    if (!busy && state && state.result) {
      next(state.result);
    }
  });
  $("retry").addEventListener("click", () => {
    const again = retry;
    clearProblem();
    if (again) {
      again();
    }
  });
  $("mute").addEventListener("click", () => {
    setMuted(!isMuted());
    showMute();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      hidden();
    } else {
      shown();
    }
  });
  window.addEventListener("pagehide", hidden);
}

// ------------------------------------------------------------------ where to begin

// Where this device's own record is newer than the page: the page is a kept copy (offline), or some of
// the session's writes are still in the outbox. Returns that session's saved state, or null.
function localSession(server) {
  let mine = null;
  const saved = savedStates(PREFIX);
  saved.forEach((entry) => {
    const s = entry.state;
    const ours = s && s.id && (OUTBOX.has(s.id) || (FROM_CACHE && s.day === today()));
    if (ours && (!mine || (s.touched || 0) > (mine.touched || 0))) {
      mine = s;
    }
  });
  saved.forEach((entry) => {
    const s = entry.state;
    const keep = s && s.id && (s === mine || (server && s.id === server.id) || OUTBOX.has(s.id));
    if (!keep) {
      store(entry.key, null); // an older session: the server's record is all that matters now
    }
  });
  return mine;
}

// Carry on from this device's own record (docs/web-session.md, "Offline").
function resumeLocal(saved) {
  state = saved;
  if (state.stage === "done") {
    showDone(state.done);
    return;
  }
  if (state.stage === "starting" && state.starting) {
    start(state.starting);
    return;
  }
  if (state.pending) {
    state.position = state.pending.position;
    newTimer();
    sendPending(state.pending);
    return;
  }
  if ((state.stage === "result" || state.stage === "rest") && state.result) {
    showResult(state.result);
    return;
  }
  if (state.stage === "run" || state.stage === "intro" || state.stage === "check" || state.stage === "felt") {
    carryOn();
    return;
  }
  intro();
}
// Back at the exercise and step of the saved state.
function carryOn() {
  newTimer();
  if (state.stage === "check") {
    askCheck(state.itHurts ? "hurts" : "after");
    return;
  }
  if (state.stage === "felt") {
    askFelt();
    return;
  }
  place();
  away.cancel();
  if (state.stage === "run") {
    state.paused = true; // back after a reload: wait for the person
  }
  setPicture(timer.segs[state.seg], false);
  render();
  where("Exercise " + state.position + " of " + EX.length);
  stage("stage-exercise", $("ex-" + state.position + "-name"));
}

function begin() {
  show($("nojs"), false);
  show($("ex-list"), false);
  document.querySelectorAll(".nojs-plan").forEach((n) => { show(n, false); });
  show($("toolbar"), true);
  showMute();
  const server = DATA.session;
  const mine = localSession(server);
  clock();
  if (mine) {
    resumeLocal(mine);
    return;
  }
  if (!server) {
    state = { stage: "before" };
    askCheck("before");
    return;
  }
  let saved = null;
  try {
    saved = JSON.parse(recall(PREFIX + server.id) || "null");
  } catch (e) {
    saved = null;
  }
  const logs = server.logs;
  const last = logs.length ? logs[logs.length - 1] : null;
  const checks = logs.filter((l) => l.after);
  state = {
    v: 1, id: server.id, stage: "intro", position: server.next_position || EX.length, seg: 0, segMs: 0,
    paused: false, last: checks.length ? checks[checks.length - 1].after : server.before,
    did: logs.filter((l) => !l.skipped).length
  };
  if (saved && saved.pending) {
    const got = logs.filter((l) => l.id === saved.pending.id)[0];
    if (!got && saved.pending.position === server.next_position) {
      state.position = saved.pending.position;
      newTimer();
      state.pending = saved.pending;
      sendPending(saved.pending);
      return;
    }
  }
  if (last && (last.needs_recheck || server.next_position === null)) {
    // A re-check to answer, or every exercise logged: carry on from the last result.
    if (saved && saved.restFor === last.id) {
      state.restMs = saved.restMs;
      state.restFor = saved.restFor;
    }
    state.position = last.position;
    showResult(last);
    return;
  }
  if (saved && saved.position === server.next_position && (saved.stage === "run" || saved.stage === "intro" || saved.stage === "check" || saved.stage === "felt")) {
    state = saved;
    state.last = state.last || (checks.length ? checks[checks.length - 1].after : server.before);
    carryOn();
    return;
  }
  intro();
}

if (DATA) {
  listen();
  begin();
}
