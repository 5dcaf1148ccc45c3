// The camera coach's pose landmarker, off the main thread so the player's timer never waits for it.
// A module worker: it loads MediaPipe's tasks-vision bundle and the pose model from backhome's own
// static files (built by `make npm`, see scripts/coach_model.py) and answers one frame at a time.
// Frames arrive as ImageBitmaps, are read in memory and closed; nothing is kept or sent anywhere.

// MediaPipe's bundle posts usage statistics to a Google address (every minute and when closed), and has
// no option to turn that off. Nothing leaves backhome: this worker may fetch from its own site only.
const siteFetch = self.fetch.bind(self);
self.fetch = (resource, init) => {
  const url = new URL(resource instanceof Request ? resource.url : String(resource), self.location.href);
  if (url.origin !== self.location.origin) {
    return Promise.reject(new TypeError("the camera coach sends nothing to other sites"));
  }
  return siteFetch(resource, init);
};

let landmarker = null;

async function init(base) {
  const vision = await import(new URL("vendor/vision_bundle.mjs", base).href);
  const fileset = await vision.FilesetResolver.forVisionTasks(new URL("vendor/wasm", base).href, true);
  landmarker = await vision.PoseLandmarker.createFromOptions(fileset, {
    baseOptions: { modelAssetPath: new URL("vendor/pose_landmarker_lite.task", base).href, delegate: "CPU" },
    runningMode: "VIDEO",
    numPoses: 1,
  });
}

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    if (msg.type === "init") {
      await init(msg.base);
      self.postMessage({ type: "ready" });
    } else if (msg.type === "frame") {
      const started = performance.now();
      let landmarks = [];
      try {
        const result = landmarker.detectForVideo(msg.bitmap, msg.t);
        landmarks = (result.landmarks[0] ?? []).map((p) => ({ x: p.x, y: p.y, z: p.z, visibility: p.visibility }));
      } finally {
        msg.bitmap.close();
      }
      self.framesRead = (self.framesRead || 0) + 1; // how many frames were read: for the browser test
      self.postMessage({ type: "landmarks", t: msg.t, landmarks, ms: performance.now() - started });
    } else if (msg.type === "close") {
      landmarker?.close();
      landmarker = null;
      self.close();
    }
  } catch (error) {
    self.postMessage({ type: "error", message: String(error && error.message ? error.message : error) });
  }
};
