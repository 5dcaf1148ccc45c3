// Beeps, the spoken cues and the screen's wake lock of the session player. No sound or voice is not an
// error: the page shows everything it says. Mute is remembered on this device.
import { recall, store } from "./saved.js";

let muted = recall("backhome.muted") === "1";
let audio = null;
let lock = null;

export function isMuted() {
  return muted;
}

export function setMuted(on) {
  muted = on;
  store("backhome.muted", muted ? "1" : null);
  if (muted && window.speechSynthesis) {
    window.speechSynthesis.cancel();
  }
}

// Browsers start sound only after a tap: called from the person's taps.
export function wakeAudio() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!audio && Ctx) {
    try { audio = new Ctx(); } catch (e) { audio = null; }
  }
  if (audio && audio.state === "suspended") {
    audio.resume().catch(() => {});
  }
}

export function beep(freq, ms) {
  if (muted || !audio) {
    return;
  }
  try {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    const t = audio.currentTime;
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.2, t);
    gain.gain.exponentialRampToValueAtTime(0.001, t + ms / 1000);
    osc.connect(gain);
    gain.connect(audio.destination);
    osc.start(t);
    osc.stop(t + ms / 1000);
  } catch (e) { /* no sound is not an error */ }
}

export function say(words) {
  const synth = window.speechSynthesis;
  if (muted || !synth || typeof window.SpeechSynthesisUtterance === "undefined") {
    return;
  }
  const voices = synth.getVoices();
  if (!voices || !voices.length) {
    return;
  }
  synth.cancel();
  synth.speak(new window.SpeechSynthesisUtterance(words));
}

// Several cues in a row, in order (the ones still queued from before are dropped).
export function sayAll(list) {
  const synth = window.speechSynthesis;
  if (muted || !synth || typeof window.SpeechSynthesisUtterance === "undefined") {
    return;
  }
  const voices = synth.getVoices();
  if (!voices || !voices.length) {
    return;
  }
  synth.cancel();
  list.forEach((words) => synth.speak(new window.SpeechSynthesisUtterance(words)));
}

// A buzz where the phone has one (muting the sound does not stop it: it is for a silent phone too).
export function vibrate(pattern) {
  if (navigator.vibrate) {
    try { navigator.vibrate(pattern); } catch (e) { /* no vibration is not an error */ }
  }
}

export function holdScreen() {
  if (lock || !("wakeLock" in navigator) || document.visibilityState !== "visible") {
    return;
  }
  navigator.wakeLock.request("screen").then((sentinel) => {
    lock = sentinel;
    sentinel.addEventListener("release", () => { lock = null; });
  }).catch(() => { lock = null; });
}

export function freeScreen() {
  if (lock) {
    lock.release().catch(() => {});
    lock = null;
  }
}
