// The guided session player (docs/web-session.md). Plain JS, no framework, no build step.
// It times, counts, asks and shows; it decides nothing about pain: every light, stop and piece of
// advice comes from the server, which asks the core. The server's logs say which exercises are done;
// localStorage (keyed by the session's UUID) remembers where in an exercise the person was.
// Offline (docs/web-session.md, "Offline"): every write goes through the outbox of offline.js and waits
// there until the server has it. While the server cannot be reached the player follows one rule alone,
// PM-F1 (the clinic's own rule: stop if back or leg pain goes up at all), and the server asks the core
// about every answer when the outbox is sent.
(function () {
  "use strict";
  var dataNode = document.getElementById("player-data");
  if (!dataNode) {
    return;
  }
  var DATA = JSON.parse(dataNode.textContent);
  var WORDS = JSON.parse(document.getElementById("light-words").textContent);
  var EX = DATA.exercises;
  var CSRF = document.querySelector("[name=csrfmiddlewaretoken]").value;
  var GET_READY = 5;
  var RING = 326.73;
  var PHASES = ["move", "hold", "return", "rest"];
  var PHASE_NAMES = { ready: "Get ready", move: "Move", hold: "Hold", "return": "Come back", rest: "Relax" };
  var TONES = { ready: 440, move: 660, hold: 880, "return": 660, rest: 523 };
  var PREFIX = "backhome.session.";
  var OUTBOX = window.backhomeOutbox;
  // A copy the service worker kept (offline): what this device saved since is newer than the page.
  var FROM_CACHE = document.getElementById("player").getAttribute("data-source") === "cache";
  //: Words for an answer the server has not seen yet (offline). No light: only the core gives lights.
  var OFFLINE = {
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

  function $(id) {
    return document.getElementById(id);
  }
  function show(node, on) {
    node.hidden = !on;
  }
  function text(node, value) {
    node.textContent = value;
  }
  function url(name, id, log) {
    return DATA.urls[name].replace("{id}", id || "").replace("{log}", log || "");
  }
  function uuid4() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }
  function store(key, value) {
    try {
      if (value === null) {
        localStorage.removeItem(key);
      } else {
        localStorage.setItem(key, typeof value === "string" ? value : JSON.stringify(value));
      }
    } catch (e) { /* private mode: the player still works, it just cannot resume */ }
  }
  function recall(key) {
    try {
      return localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ sound, voice, wake lock

  var muted = recall("backhome.muted") === "1";
  var audio = null;
  var lock = null;

  function wakeAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!audio && Ctx) {
      try { audio = new Ctx(); } catch (e) { audio = null; }
    }
    if (audio && audio.state === "suspended") {
      audio.resume().catch(function () {});
    }
  }
  function beep(freq, ms) {
    if (muted || !audio) {
      return;
    }
    try {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      var t = audio.currentTime;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.2, t);
      gain.gain.exponentialRampToValueAtTime(0.001, t + ms / 1000);
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(t);
      osc.stop(t + ms / 1000);
    } catch (e) { /* no sound is not an error */ }
  }
  function say(words) {
    var synth = window.speechSynthesis;
    if (muted || !synth || typeof window.SpeechSynthesisUtterance === "undefined") {
      return;
    }
    var voices = synth.getVoices();
    if (!voices || !voices.length) {
      return;
    }
    synth.cancel();
    synth.speak(new window.SpeechSynthesisUtterance(words));
  }
  function showMute() {
    $("mute").setAttribute("aria-pressed", muted ? "true" : "false");
  }
  function holdScreen() {
    if (lock || !("wakeLock" in navigator) || document.visibilityState !== "visible") {
      return;
    }
    navigator.wakeLock.request("screen").then(function (sentinel) {
      lock = sentinel;
      sentinel.addEventListener("release", function () { lock = null; });
    }).catch(function () { lock = null; });
  }
  function freeScreen() {
    if (lock) {
      lock.release().catch(function () {});
      lock = null;
    }
  }

  // ------------------------------------------------------------------ the plan of one exercise

  // Every step of an exercise, in order: for each set, for each side, a get-ready count and then
  // each repetition's timeline (move, hold, return, rest; the picture's own timing).
  function segments(ex) {
    var out = [];
    var sides = ex.dose.per_side ? ["left", "right"] : [null];
    for (var set = 1; set <= ex.dose.sets; set++) {
      for (var s = 0; s < sides.length; s++) {
        out.push({ kind: "ready", phase: "ready", seconds: GET_READY, set: set, side: sides[s], rep: 1, caption: "Get into the start position" });
        for (var rep = 1; rep <= ex.dose.reps; rep++) {
          var shown = -1;
          for (var i = 0; i < ex.timeline.length; i++) {
            var step = ex.timeline[i];
            // The picture's phase only moves forward within a repetition (cat-camel moves between
            // its two holds inside the "hold" phase of the picture).
            shown = Math.max(shown, PHASES.indexOf(step.phase));
            out.push({
              kind: "step", phase: step.phase, picture: PHASES[shown], seconds: step.seconds,
              caption: step.caption, set: set, side: sides[s], rep: rep, first: i === 0
            });
          }
        }
      }
    }
    return out;
  }

  var state = null;
  var segs = [];
  var ticker = null;
  var lastTick = 0;
  var busy = false;
  var retry = null;

  function current() {
    return EX[state.position - 1];
  }
  function save() {
    if (state && state.id) {
      state.touched = Date.now();
      state.day = state.day || today();
      store(PREFIX + state.id, state);
    }
  }
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + (d.getMonth() + 1) + "-" + d.getDate();
  }

  // PM-F1, the clinic's own stop rule (clinical-spec.md): "stop if any increase in low back pain or
  // sciatic pain down the leg". The only rule the player applies itself, and only while the server cannot
  // be reached: any rise in back or leg pain, pain further down the leg, new numbness, weakness or a
  // warning sign. ``before`` is the check the exercise started from (the latest after-check of the
  // session, else the check before it: PM-01). The server's core decides everything else once it has
  // the answers.
  function worse(after, before) {
    if (!after) {
      return false;
    }
    before = before || {};
    return !!(after.red_flag || after.weakness || (after.numbness && !before.numbness) ||
      after.back > before.back || after.leg > before.leg || after.zone > before.zone);
  }

  // ------------------------------------------------------------------ stages

  var STAGES = ["stage-check", "stage-exercise", "stage-result", "stage-done"];
  function stage(id, focus) {
    STAGES.forEach(function (s) { show($(s), s === id); });
    if (focus) {
      focus.setAttribute("tabindex", "-1");
      focus.focus();
    }
    window.scrollTo(0, 0);
  }
  function where(words) {
    text($("where"), words);
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

  // ------------------------------------------------------------------ the pain check

  var form = $("check-form");
  var ROWS = ["back", "leg", "zone", "numbness", "weakness", "red_flag"];

  function askCheck(kind) {
    // kind: "before", "after" or "hurts"
    state.stage = kind === "before" ? "before" : "check";
    state.itHurts = kind === "hurts";
    form.reset();
    clearErrors();
    form.classList.toggle("before", kind === "before");
    show($("check-intro"), kind === "before");
    show($("check-lead"), kind !== "before");
    var ex = kind === "before" ? null : current();
    if (kind === "before") {
      text($("check-title"), "Before you start");
      text($("check-send"), "Start the session");
      where("Today's session");
    } else {
      text($("check-title"), kind === "hurts" ? "It hurts: tell us how you feel now" : "How do you feel now?");
      text($("check-lead"), kind === "hurts"
        ? "Stop " + ex.name + " and rest in a comfortable position. Then answer these questions."
        : "You have finished " + ex.name + ". Tell us how you feel right now.");
      text($("check-send"), "Send");
      where("Exercise " + state.position + " of " + EX.length);
      say(kind === "hurts" ? "Stop the exercise. Tell us how you feel now." : "Well done. Tell us how you feel now.");
    }
    save();
    stage("stage-check", $("check-title"));
  }
  function clearErrors() {
    form.querySelectorAll(".error.js-error").forEach(function (n) { n.remove(); });
    form.querySelectorAll(".has-error").forEach(function (n) { n.classList.remove("has-error"); });
  }
  function readCheck(kind) {
    clearErrors();
    var out = {};
    var first = null;
    ROWS.forEach(function (name) {
      if (name === "weakness" && kind === "before") {
        return;
      }
      var value = form.elements[name].value;
      if (value === "") {
        var box = $("check-" + name);
        var note = document.createElement("p");
        note.className = "error js-error";
        text(note, name === "zone" ? "Please choose how far down it reaches."
          : (name === "back" || name === "leg") ? "Please choose a number from 0 to 10." : "Please choose Yes or No.");
        box.classList.add("has-error");
        box.querySelector("legend").after(note);
        first = first || box.querySelector("input");
        return;
      }
      out[name] = (value === "yes" || value === "no") ? value === "yes" : parseInt(value, 10);
    });
    if (first) {
      first.focus();
      return null;
    }
    return out;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    var kind = state.stage === "before" || state.stage === "starting" ? "before" : "after";
    var check = readCheck(kind);
    if (!check) {
      return;
    }
    wakeAudio();
    if (kind === "before") {
      var first = { id: uuid4(), before: check };
      state = { v: 1, id: first.id, stage: "starting", starting: first, position: 1, seg: 0, segMs: 0, paused: false };
      save();
      start(first);
    } else {
      var body = {
        id: uuid4(), position: state.position, skipped: false,
        sets_done: state.itHurts ? state.hurtSets || 0 : current().dose.sets,
        it_hurts: !!state.itHurts, after: check
      };
      state.pending = body;
      save();
      sendLog(body);
    }
  });

  // ------------------------------------------------------------------ talking to the server

  // A write: queued in the outbox, then sent. ``onServer`` gets the server's answer; ``onLocal`` runs
  // when the write stays on this phone for later (offline, a server error, no answer in time).
  function send(kind, address, body, onServer, onLocal) {
    busy = true;
    clearProblem();
    var sending = document.querySelectorAll("#player button[type=submit], #next, #skip");
    sending.forEach(function (b) { b.disabled = true; });
    var id = kind === "finish" ? "finish-" + state.id : kind === "recheck" ? "recheck-" + address : body.id;
    var item = { id: id, kind: kind, session: kind === "start" ? body.id : state.id, url: address, body: body };
    OUTBOX.add(item, function (outcome) {
      busy = false;
      sending.forEach(function (b) { b.disabled = false; });
      var code = outcome.json && outcome.json.error && outcome.json.error.code;
      var message = outcome.json && outcome.json.error && outcome.json.error.message;
      if (outcome.ok) {
        onServer(outcome.json);
      } else if (outcome.later) {
        onLocal();
      } else if (kind === "finish" && (code === "ended" || code === "recheck_pending")) {
        leave(state.done || "stopped"); // the server has already ended it, or waits for a re-check
      } else if (outcome.status === 409 || outcome.status === 404) {
        // The server knows better (another tab, an ended session): show its state.
        problem(message || "Something changed.", function () {
          window.location.reload();
        });
      } else {
        problem(message || "Something went wrong. Please try again.",
          function () { send(kind, address, body, onServer, onLocal); });
      }
    });
  }

  function start(body) {
    send("start", DATA.urls.start, body, function (session) {
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
    }, function () {
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
    return programme.length === EX.length && programme.every(function (item, i) {
      return item.exercise_id === EX[i].exercise_id && JSON.stringify(item.dose) === JSON.stringify(EX[i].dose);
    });
  }
  function sendLog(body) {
    var from = state.last;
    send("log", url("log", state.id), body, function (result) {
      state.pending = null;
      state.last = body.after;
      showResult(result);
    }, function () {
      state.pending = null;
      state.last = body.after;
      showLocal(body.position, worse(body.after, from), body.after, from);
    });
  }
  function sendSkip(body) {
    send("log", url("log", state.id), body, function (result) {
      state.pending = null;
      setPicture(null, false);
      next(result);
    }, function () {
      state.pending = null;
      setPicture(null, false);
      next({ local: true, position: body.position, skipped: true, next_position: body.position < EX.length ? body.position + 1 : null });
    });
  }

  // ------------------------------------------------------------------ one exercise

  function intro() {
    state.stage = "intro";
    state.seg = 0;
    state.segMs = 0;
    state.paused = false;
    segs = segments(current());
    place();
    setPicture(segs[0], false);
    render();
    save();
    where("Exercise " + state.position + " of " + EX.length);
    stage("stage-exercise", $("ex-" + state.position + "-name"));
  }
  // Put the exercise's own card (name, picture, steps) into the stage.
  function place() {
    var slot = $("slot");
    var card = $("ex-" + state.position);
    if (card.parentNode !== slot) {
      while (slot.firstChild) {
        $("ex-list").appendChild(slot.firstChild);
      }
      slot.appendChild(card);
    }
  }
  function picture() {
    return $("picture-" + state.position);
  }
  function setPicture(seg, restart) {
    var pic = picture();
    PHASES.forEach(function (p) { pic.classList.remove("phase-" + p); });
    var ex = current();
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
    var d = current().dose;
    var parts = ["Rep " + seg.rep + " of " + d.reps, "Set " + seg.set + " of " + d.sets];
    if (seg.side) {
      parts.push(seg.side === "left" ? "Left side" : "Right side");
    }
    return parts.join(" \u00b7 ");
  }
  function render() {
    var running = state.stage === "run";
    var seg = segs[state.seg] || segs[segs.length - 1];
    var left = Math.max(0, seg.seconds * 1000 - state.segMs);
    var whole = Math.ceil(left / 1000);
    text($("counter"), counter(seg));
    text($("phase-name"), state.paused ? "Paused" : PHASE_NAMES[seg.phase]);
    text($("time"), String(whole));
    text($("time-unit"), whole === 1 ? "second" : "seconds");
    $("ring-bar").setAttribute("stroke-dashoffset", String(RING * (1 - left / (seg.seconds * 1000))));
    $("timer-panel").className = "timer-panel phase-" + seg.phase;
    var caption = state.stage === "intro" ? "Read the steps, get into the start position, then press Start."
      : state.paused ? "Paused. Press Resume when you are ready." : seg.caption;
    if ($("caption").textContent !== caption) {
      text($("caption"), caption);
    }
    show($("go"), !running);
    show($("pause"), running);
    text($("pause"), state.paused ? "Resume" : "Pause");
    $("pause").setAttribute("aria-pressed", state.paused ? "true" : "false");
    setPictureState();
  }
  function setPictureState() {
    picture().classList.toggle("paused", !!state.paused);
  }
  function enter(seg) {
    setPicture(seg, seg.kind === "step" && seg.first);
    beep(TONES[seg.phase], seg.phase === "hold" ? 350 : 160);
    if (seg.kind === "ready") {
      say("Get ready. " + current().name + (seg.side ? ", " + seg.side + " side." : "."));
    } else if (seg.first || seg.phase === "hold" || seg.seconds >= 2) {
      say(seg.caption);
    }
  }

  function tick() {
    var now = Date.now();
    var passed = now - lastTick;
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
    if (state.stage !== "run" || state.paused) {
      return;
    }
    while (passed > 0) {
      var seg = segs[state.seg];
      var left = seg.seconds * 1000 - state.segMs;
      if (passed < left) {
        state.segMs += passed;
        passed = 0;
      } else {
        passed -= left;
        state.seg += 1;
        state.segMs = 0;
        if (state.seg >= segs.length) {
          finishExercise();
          return;
        }
        enter(segs[state.seg]);
      }
    }
    render();
    save();
  }
  function clock() {
    if (!ticker) {
      lastTick = Date.now();
      ticker = window.setInterval(tick, 200);
    }
  }

  function go() {
    wakeAudio();
    holdScreen();
    state.stage = "run";
    state.paused = false;
    lastTick = Date.now();
    enter(segs[state.seg]);
    render();
    save();
    $("pause").focus();
  }
  function pause() {
    state.paused = !state.paused;
    lastTick = Date.now();
    say(state.paused ? "Paused." : "Carry on.");
    render();
    save();
  }
  // Sets finished on every side so far (while exercising).
  function setsDone() {
    if (state.stage !== "run" || !segs.length) {
      return 0;
    }
    var seg = segs[state.seg];
    return seg ? seg.set - 1 : current().dose.sets;
  }
  function finishExercise() {
    state.seg = segs.length;
    beep(880, 500);
    setPicture(null, false);
    askCheck("after");
  }
  function hurts() {
    state.hurtSets = setsDone();
    state.paused = true;
    setPicture(null, false);
    askCheck("hurts");
  }
  function skip() {
    if (busy) {
      return;
    }
    var body = {
      id: uuid4(), position: state.position, sets_done: setsDone(), skipped: true, it_hurts: false
    };
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
    var warning = !!(stop && check && (check.red_flag || check.weakness || (check.numbness && !(from && from.numbness))));
    showResult({
      local: true, position: position, end_session: stop, warning: warning,
      reasons: [{ text: OFFLINE.why }, { text: OFFLINE.rule }],
      advice: stop ? OFFLINE.stop : OFFLINE.carryOn,
      next_position: stop ? null : (position < EX.length ? position + 1 : null)
    });
  }
  function showResult(result) {
    state.stage = "result";
    state.result = result;
    var box = $("result");
    var light = result.local ? (result.end_session ? "red" : "saved") : result.needs_recheck ? "wait" : (result.light || "skip");
    box.className = "result light-" + light;
    text($("result-of"), result.position ? "Exercise " + result.position + ": " + EX[result.position - 1].name : "Before the session");
    if (result.local) {
      text($("light-title"), result.end_session ? "Stopped" : "Saved on this phone");
      text($("result-title"), result.end_session ? "This exercise was stopped" : "Not checked yet");
    } else if (result.needs_recheck) {
      text($("light-title"), "Not decided yet");
      text($("result-title"), "Rest, then check your back again");
    } else {
      var words = WORDS[result.light];
      text($("light-title"), words[0]);
      text($("result-title"), words[1]);
    }
    var list = $("result-reasons");
    list.replaceChildren();
    (result.reasons || []).forEach(function (reason) {
      var item = document.createElement("li");
      text(item, reason.text);
      list.appendChild(item);
    });
    var ended = !!result.end_session;
    text($("result-advice"), ended ? "" : result.advice || "");
    show($("stop"), ended);
    show($("recheck"), !!result.needs_recheck);
    if (ended) {
      text($("stop-advice"), result.advice);
      var rules = result.rules || [];
      show($("stop-rescreen"), !result.local && (rules.indexOf("PM-14") >= 0 || rules.indexOf("PM-11") >= 0));
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
    var left = Math.max(0, state.restTotal - state.restMs);
    var whole = Math.ceil(left / 1000);
    text($("rest-time"), Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0"));
    $("rest-bar").setAttribute("stroke-dashoffset", String(RING * (1 - left / state.restTotal)));
    var ready = left === 0;
    if (ready && $("settled-form").hidden) {
      beep(880, 400);
      say("Has your back pain come back down to where it was before?");
    }
    show($("settled-form"), ready);
  }
  $("settled-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("settled-form").elements.settled.value;
    if (!value || busy) {
      $("settled-yes").focus();
      return;
    }
    var settled = value === "yes";
    var position = state.result.position;
    send("recheck", url("recheck", state.id, state.result.id), { settled: settled }, function (result) {
      showResult(result);
    }, function () {
      // Offline: pain that has not come back down is pain that went up (PM-F1): stop.
      showLocal(position, !settled, null);
    });
  });

  function next(result) {
    var ended = result.end_session || (state.result && state.result.end_session);
    var position = nextPosition(result);
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
    var how = ended ? "stopped" : "finished";
    state.done = how;
    save();
    send("finish", url("finish", state.id), {}, function () { leave(how); }, function () { leave(how); });
  }
  function leave(how) {
    freeScreen();
    if (OUTBOX.has(state.id) || navigator.onLine === false) {
      showDone(how); // the summary needs the server: it waits until everything is sent
      return;
    }
    var id = state.id;
    store(PREFIX + id, null);
    state = null;
    window.location.assign(url("summary", id));
  }
  function showDone(how) {
    state.stage = "done";
    state.done = how;
    state.result = null;
    save();
    text($("done-title"), how === "stopped" ? "Your session was stopped, for your safety" : "Well done: today's session is done");
    $("done-summary-link").setAttribute("href", url("summary", state.id));
    doneStatus();
    where("Today's session");
    stage("stage-done", $("done-title"));
  }
  function doneStatus() {
    if (!state || state.stage !== "done") {
      return;
    }
    var sent = !OUTBOX.has(state.id);
    show($("done-waiting"), !sent);
    show($("done-sent"), sent);
    show($("done-summary"), sent);
  }
  OUTBOX.onChange(doneStatus);

  // ------------------------------------------------------------------ buttons

  $("go").addEventListener("click", go);
  $("pause").addEventListener("click", pause);
  $("hurts").addEventListener("click", hurts);
  $("skip").addEventListener("click", skip);
  $("next").addEventListener("click", function () {
    if (!busy && state && state.result) {
      next(state.result);
    }
  });
  $("retry").addEventListener("click", function () {
    var again = retry;
    clearProblem();
    if (again) {
      again();
    }
  });
  $("mute").addEventListener("click", function () {
    muted = !muted;
    store("backhome.muted", muted ? "1" : null);
    if (muted && window.speechSynthesis) {
      window.speechSynthesis.cancel();
    }
    showMute();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && state && state.stage === "run") {
      holdScreen();
    }
  });

  // ------------------------------------------------------------------ where to begin

  function savedStates() {
    var found = [];
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) {
          var value = null;
          try { value = JSON.parse(localStorage.getItem(key)); } catch (e) { value = null; }
          found.push({ key: key, state: value });
        }
      }
    } catch (e) { /* no storage */ }
    return found;
  }

  // Where this device's own record is newer than the page: the page is a kept copy (offline), or some of
  // the session's writes are still in the outbox. Returns that session's saved state, or null.
  function localSession(server) {
    var mine = null;
    var saved = savedStates();
    saved.forEach(function (entry) {
      var s = entry.state;
      var ours = s && s.id && (OUTBOX.has(s.id) || (FROM_CACHE && s.day === today()));
      if (ours && (!mine || (s.touched || 0) > (mine.touched || 0))) {
        mine = s;
      }
    });
    saved.forEach(function (entry) {
      var s = entry.state;
      var keep = s && s.id && (s === mine || (server && s.id === server.id) || OUTBOX.has(s.id));
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
      segs = segments(current());
      if (state.pending.skipped) {
        sendSkip(state.pending);
      } else {
        sendLog(state.pending);
      }
      return;
    }
    if ((state.stage === "result" || state.stage === "rest") && state.result) {
      showResult(state.result);
      return;
    }
    if (state.stage === "run" || state.stage === "intro" || state.stage === "check") {
      carryOn();
      return;
    }
    intro();
  }
  // Back at the exercise and step of the saved state.
  function carryOn() {
    segs = segments(current());
    if (state.stage === "check") {
      askCheck(state.itHurts ? "hurts" : "after");
      return;
    }
    place();
    if (state.stage === "run") {
      state.paused = true; // back after a reload: wait for the person
    }
    setPicture(segs[state.seg], false);
    render();
    where("Exercise " + state.position + " of " + EX.length);
    stage("stage-exercise", $("ex-" + state.position + "-name"));
  }

  function begin() {
    show($("nojs"), false);
    show($("ex-list"), false);
    document.querySelectorAll(".nojs-plan").forEach(function (n) { show(n, false); });
    show($("toolbar"), true);
    showMute();
    var server = DATA.session;
    var mine = localSession(server);
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
    var saved = null;
    try {
      saved = JSON.parse(recall(PREFIX + server.id) || "null");
    } catch (e) {
      saved = null;
    }
    var logs = server.logs;
    var last = logs.length ? logs[logs.length - 1] : null;
    var checks = logs.filter(function (l) { return l.after; });
    state = {
      v: 1, id: server.id, stage: "intro", position: server.next_position || EX.length, seg: 0, segMs: 0,
      paused: false, last: checks.length ? checks[checks.length - 1].after : server.before
    };
    if (saved && saved.pending) {
      var got = logs.filter(function (l) { return l.id === saved.pending.id; })[0];
      if (!got && saved.pending.position === server.next_position) {
        state.position = saved.pending.position;
        segs = segments(current());
        state.pending = saved.pending;
        if (saved.pending.skipped) {
          sendSkip(saved.pending);
        } else {
          sendLog(saved.pending);
        }
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
    if (saved && saved.position === server.next_position && (saved.stage === "run" || saved.stage === "intro" || saved.stage === "check")) {
      state = saved;
      state.last = state.last || (checks.length ? checks[checks.length - 1].after : server.before);
      carryOn();
      return;
    }
    intro();
  }

  begin();
})();
