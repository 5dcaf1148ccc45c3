// What the camera coach measures in one frame: angles from MediaPipe's 33 pose landmarks.
//
// A frame is the landmark list the pose landmarker returns for one person (BlazePose order:
// x and y normalised to the image, y down, and a visibility from 0 to 1), or an empty list
// when nobody is found. Every measure is in degrees and is null when the points it needs are
// not seen well enough; the counter treats null as "cannot tell", never as zero.
// Pure functions, no DOM: the same module runs in the page and under `node --test`.

export const LANDMARKS = Object.freeze([
  "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
  "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
  "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
  "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip", "right_hip",
  "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
  "left_foot_index", "right_foot_index",
]);

const INDEX = Object.freeze(Object.fromEntries(LANDMARKS.map((name, i) => [name, i])));
const SIDES = ["left", "right"];

/** The names of the measures the coach's content may use (coach TOML `feature = ...`). */
export const FEATURES = Object.freeze([
  "trunk_elevation",
  "elbow_angle",
  "hip_lift",
  "hip_flexion_max",
  "hip_flexion_min",
  "hip_flexion_other",
  "knee_flexion",
  "back_curve",
  "shoulder_flexion",
]);

function pointOf(frame, name, opts) {
  const p = frame[INDEX[name]];
  if (!p || !(p.visibility >= opts.minVisibility)) return null;
  if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return null;
  // Outside the picture by more than a margin: the landmarker is guessing.
  if (p.x < -0.05 || p.x > 1.05 || p.y < -0.05 || p.y > 1.05) return null;
  // Work in square units so that angles are true on a wide image.
  return { x: p.x * opts.aspect, y: p.y, v: p.visibility };
}

function angleAt(a, b, c) {
  // interior angle at b, 0..180
  const abx = a.x - b.x, aby = a.y - b.y, cbx = c.x - b.x, cby = c.y - b.y;
  const n = Math.hypot(abx, aby) * Math.hypot(cbx, cby);
  if (n === 0) return null;
  const cos = Math.max(-1, Math.min(1, (abx * cbx + aby * cby) / n));
  return (Math.acos(cos) * 180) / Math.PI;
}

function elevation(from, to) {
  // degrees of the line from -> to above the horizontal, whichever way the person faces
  return (Math.atan2(from.y - to.y, Math.abs(to.x - from.x)) * 180) / Math.PI;
}

function side(frame, opts, s, names) {
  const pts = names.map((n) => pointOf(frame, `${s}_${n}`, opts));
  return pts.every(Boolean) ? pts : null;
}

// The side nearer the camera sees best: take it when it has every point, else the other side.
function bestSide(frame, opts, names) {
  const found = SIDES.map((s) => side(frame, opts, s, names)).filter(Boolean);
  if (found.length === 0) return null;
  const score = (pts) => pts.reduce((sum, p) => sum + p.v, 0);
  return found.sort((a, b) => score(b) - score(a))[0];
}

function hipFlexions(frame, opts) {
  const out = [];
  for (const s of SIDES) {
    const pts = side(frame, opts, s, ["hip", "knee"]);
    if (!pts) continue;
    const trunk = bestSide(frame, opts, ["shoulder", "hip"]);
    if (!trunk) continue;
    const [shoulder, hip] = trunk;
    // the trunk line through this leg's hip point: the two hips sit on top of each other from the side
    const dx = shoulder.x - hip.x, dy = shoulder.y - hip.y;
    const a = angleAt({ x: pts[0].x + dx, y: pts[0].y + dy }, pts[0], pts[1]);
    if (a !== null) out.push(180 - a);
  }
  return out;
}

/**
 * Every measure of one frame.
 * @param {Array<{x:number,y:number,visibility:number}>} frame the landmarks, or [] for nobody
 * @param {{aspect?: number, minVisibility?: number}} options aspect: image width / height
 * @returns {Record<string, number|null>|null} null when no person is in the frame
 */
export function measure(frame, options = {}) {
  const opts = { aspect: options.aspect ?? 1, minVisibility: options.minVisibility ?? 0.5 };
  if (!Array.isArray(frame) || frame.length < LANDMARKS.length) return null;
  const out = Object.fromEntries(FEATURES.map((f) => [f, null]));

  const trunk = bestSide(frame, opts, ["hip", "shoulder"]);
  if (trunk) out.trunk_elevation = elevation(trunk[0], trunk[1]);

  const arm = bestSide(frame, opts, ["shoulder", "elbow", "wrist"]);
  if (arm) out.elbow_angle = angleAt(arm[0], arm[1], arm[2]);

  const armTrunk = bestSide(frame, opts, ["hip", "shoulder", "elbow"]);
  if (armTrunk) out.shoulder_flexion = angleAt(armTrunk[0], armTrunk[1], armTrunk[2]);

  const thigh = bestSide(frame, opts, ["knee", "hip"]);
  if (thigh) out.hip_lift = elevation(thigh[0], thigh[1]);

  const flexions = hipFlexions(frame, opts);
  if (flexions.length) {
    out.hip_flexion_max = Math.max(...flexions);
    out.hip_flexion_min = Math.min(...flexions);
  }
  if (flexions.length === 2) out.hip_flexion_other = Math.min(...flexions);

  const legs = SIDES.map((s) => side(frame, opts, s, ["hip", "knee", "ankle"])).filter(Boolean);
  if (legs.length) out.knee_flexion = Math.max(...legs.map(([h, k, a]) => 180 - angleAt(h, k, a)));

  out.back_curve = backCurve(frame, opts);
  return out;
}

// The curve of the back cannot be seen point by point (the landmarks have no spine), so it is
// read from what rounding and sagging do to the trunk on hands and knees: rounding tucks the
// pelvis and drops the head, so the hips come forward of the knees and the nose falls below the
// shoulder line; sagging does the opposite. Positive: rounded (cat); negative: sagged (camel).
function backCurve(frame, opts) {
  const trunk = bestSide(frame, opts, ["hip", "shoulder", "knee"]);
  const nose = pointOf(frame, "nose", opts);
  if (!trunk || !nose) return null;
  const [hip, shoulder, knee] = trunk;
  const len = Math.hypot(shoulder.x - hip.x, shoulder.y - hip.y);
  if (len === 0) return null;
  const forward = Math.sign(shoulder.x - hip.x) || 1;
  // thigh lean: how far the hip sits ahead of the knee, along the trunk's direction (degrees)
  const lean = (Math.atan2(forward * (hip.x - knee.x), knee.y - hip.y) * 180) / Math.PI;
  const drop = (Math.atan2(nose.y - shoulder.y, forward * (nose.x - shoulder.x)) * 180) / Math.PI;
  return (lean + drop) / 2;
}
