// The camera coach in the page: the camera, the pose worker and the counter, tied together.
//
// Nothing here runs until the person turns the camera on: then the worker loads the model (served
// by backhome, cached by the service worker), the camera's frames go to it one at a time, and its
// landmarks go to the counter. Frames never leave the device and are dropped once read; what the
// page keeps is the counter's numbers. One call turns everything off again.

import { createCounter } from "./count.js";

const BASE = new URL("./", import.meta.url);

/** A worker with the pose landmarker loaded; resolves when the model is ready. */
export function loadLandmarker() {
  const worker = new Worker(new URL("worker.js", BASE), { type: "module" });
  const ready = new Promise((resolve, reject) => {
    worker.addEventListener("message", function onReady(event) {
      if (event.data.type === "ready") {
        worker.removeEventListener("message", onReady);
        resolve(worker);
      } else if (event.data.type === "error") {
        worker.removeEventListener("message", onReady);
        worker.terminate();
        reject(new Error(event.data.message));
      }
    });
  });
  worker.postMessage({ type: "init", base: BASE.href });
  return ready;
}

/** The models read 224 and 256 pixel squares: a 320 pixel wide copy loses nothing and costs less. */
export function frameOf(source, width, height) {
  const w = Math.min(320, width);
  return createImageBitmap(source, { resizeWidth: w, resizeHeight: Math.round((w * height) / width), resizeQuality: "low" });
}

/** One frame through the worker: the person's 33 landmarks, or [] when nobody is found. */
export function detect(worker, bitmap, t) {
  return new Promise((resolve, reject) => {
    worker.addEventListener("message", function onResult(event) {
      if (event.data.type === "landmarks" && event.data.t === t) {
        worker.removeEventListener("message", onResult);
        resolve(event.data);
      } else if (event.data.type === "error") {
        worker.removeEventListener("message", onResult);
        reject(new Error(event.data.message));
      }
    });
    worker.postMessage({ type: "frame", bitmap, t }, [bitmap]);
  });
}

/**
 * Turn the camera coach on for one exercise.
 * @param {object} o
 * @param {object} o.content the exercise's coach thresholds
 * @param {string} [o.mode] the exercise's timeline mode (e.g. "extension_only")
 * @param {HTMLVideoElement} o.video where the camera shows (muted, playsinline)
 * @param {(event: object, snapshot: object) => void} o.onEvent phase, rep, say, lost, found
 * @returns {Promise<{stop: () => object, snapshot: () => object, fps: () => number}>}
 */
export async function startCoach({ content, mode, video, onEvent }) {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
    audio: false,
  });
  let worker;
  try {
    video.srcObject = stream;
    await video.play();
    worker = await loadLandmarker();
  } catch (error) {
    stream.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
    throw error;
  }
  const counter = createCounter(content, { mode, aspect: video.videoWidth / video.videoHeight || 4 / 3 });
  let running = true;
  const times = [];

  async function loop() {
    while (running) {
      if (video.readyState < 2) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      const t = performance.now();
      const bitmap = await frameOf(video, video.videoWidth, video.videoHeight);
      if (!running) {
        bitmap.close();
        break;
      }
      let result;
      try {
        result = await detect(worker, bitmap, t);
      } catch (error) {
        onEvent({ type: "error", message: error.message }, counter.snapshot());
        break;
      }
      if (!running) break;
      times.push(performance.now());
      while (times.length && times[0] < performance.now() - 2000) times.shift();
      for (const event of counter.push(t / 1000, result.landmarks)) onEvent(event, counter.snapshot());
    }
  }
  loop();

  return {
    snapshot: () => counter.snapshot(),
    fps: () => times.length / 2,
    stop() {
      running = false;
      stream.getTracks().forEach((track) => track.stop());
      video.srcObject = null;
      worker.postMessage({ type: "close" });
      return counter.snapshot();
    },
  };
}
