"""Put the camera coach's pose model and its WebAssembly among backhome's static files.

``python -m scripts.coach_model`` (run by ``make npm`` after ``npm ci``) reads two pinned npm packages
in ``node_modules`` and writes ``backhome/web/practice/static/practice/coach/vendor/`` (not in git):

* ``vision_bundle.mjs`` and ``wasm/vision_wasm_module_internal.{js,wasm}`` from
  ``@mediapipe/tasks-vision``: the pose landmarker that runs in the browser (in a module worker);
* ``pose_landmarker_lite.task``: the bundle the landmarker loads, built here from the Apache-2.0
  models ``@mediapipe/pose`` ships. A ``.task`` file is a zip whose members the landmarker finds by
  name: ``pose_detector.tflite`` (the person detector, shipped inside
  ``pose_solution_packed_assets.data``, whose loader script gives its byte range) and
  ``pose_landmarks_detector.tflite`` (``pose_landmark_lite.tflite``).

Everything is served by backhome itself: no CDN, no request to anyone else at run time.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules" / "@mediapipe"
VENDOR = ROOT / "backhome" / "web" / "practice" / "static" / "practice" / "coach" / "vendor"
DETECTOR = "/third_party/mediapipe/modules/pose_detection/pose_detection.tflite"
#: The ES-module build of the WebAssembly (the coach's landmarker runs in a module worker).
WASM = ("vision_wasm_module_internal.js", "vision_wasm_module_internal.wasm")


def _detector(pose: Path) -> bytes:
    """The detector model out of the legacy solution's packed assets."""
    loader = (pose / "pose_solution_packed_assets_loader.js").read_text(encoding="utf-8")
    match = re.search(r"loadPackage\((\{.*?\})\)", loader)
    if match is None:
        raise SystemExit("the @mediapipe/pose loader has no file table: has the package changed?")
    table = json.loads(match.group(1))
    entry = next(f for f in table["files"] if f["filename"] == DETECTOR)
    data = (pose / "pose_solution_packed_assets.data").read_bytes()[entry["start"] : entry["end"]]
    if data[4:8] != b"TFL3":
        raise SystemExit("the packed pose detector is not a TensorFlow Lite model")
    return data


# --------------------------------------------------------------------------- model metadata
# The legacy solution's models carry no TFLite metadata, and the tasks API reads from it how to scale
# the input image (NormalizationOptions). The legacy graphs scaled the detector's input to [-1, 1]
# and the landmark model's to [0, 1]; we write exactly that into each model. A FlatBuffer's offsets
# are relative and point forward, so a new root table (and the new metadata) placed in front of the
# untouched original, padded to keep its 16-byte alignment, can refer to everything in it.


@dataclass
class _Table:
    fields: dict[int, object]  # slot -> ("u32" | "u8", int) or a child object


@dataclass
class _Vec:
    items: list[object] | bytes | tuple[float, ...]


@dataclass
class _Old:
    pos: int  # position of an object in the original model


class _Writer:
    def __init__(self, ident: bytes) -> None:
        self.b = bytearray(b"\0\0\0\0" + ident)
        self.old: list[tuple[int, int]] = []  # (field position, original position)

    def _align(self, n: int, rest: int = 0) -> None:
        while (len(self.b) + rest) % n:
            self.b.append(0)

    def _ref(self, at: int, obj: object) -> None:
        if isinstance(obj, _Old):
            self.old.append((at, obj.pos))
        else:
            struct.pack_into("<I", self.b, at, self.emit(obj) - at)

    def emit(self, obj: object) -> int:
        if isinstance(obj, str):
            self._align(4)
            pos = len(self.b)
            data = obj.encode()
            self.b += struct.pack("<I", len(data)) + data + b"\0"
            return pos
        if isinstance(obj, _Vec):
            if isinstance(obj.items, bytes):
                self._align(16, 4)  # the data after the length, 16-aligned like a model buffer
                pos = len(self.b)
                self.b += struct.pack("<I", len(obj.items)) + obj.items
                return pos
            self._align(4)
            pos = len(self.b)
            if isinstance(obj.items, tuple):
                self.b += struct.pack(f"<I{len(obj.items)}f", len(obj.items), *obj.items)
                return pos
            self.b += struct.pack("<I", len(obj.items)) + bytes(4 * len(obj.items))
            for i, item in enumerate(obj.items):
                self._ref(pos + 4 + 4 * i, item)
            return pos
        assert isinstance(obj, _Table)
        slots = max(obj.fields, default=-1) + 1
        self._align(2)
        vtable = len(self.b)
        self.b += bytes(4 + 2 * slots)
        self._align(4)
        pos = len(self.b)
        self.b += struct.pack("<i", pos - vtable) + bytes(4 * len(obj.fields))
        struct.pack_into("<HH", self.b, vtable, 4 + 2 * slots, 4 + 4 * len(obj.fields))
        children = []
        for n, (slot, value) in enumerate(sorted(obj.fields.items())):
            at = pos + 4 + 4 * n
            struct.pack_into("<H", self.b, vtable + 4 + 2 * slot, at - pos)
            if isinstance(value, tuple) and value[0] in ("u32", "u8"):
                struct.pack_into("<I" if value[0] == "u32" else "<B", self.b, at, value[1])
            else:
                children.append((at, value))
        for at, value in children:
            self._ref(at, value)
        return pos

    def finish(self, root: object, original: bytes = b"") -> bytes:
        struct.pack_into("<I", self.b, 0, self.emit(root))
        self._align(16)
        start = len(self.b)
        for at, pos in self.old:
            struct.pack_into("<I", self.b, at, start + pos - at)
        return bytes(self.b) + original


def _field(data: bytes, table: int, slot: int) -> int | None:
    """Where a table's field is stored, or None when it is absent."""
    vtable = table - struct.unpack_from("<i", data, table)[0]
    size = struct.unpack_from("<H", data, vtable)[0]
    if 4 + 2 * slot >= size:
        return None
    off = struct.unpack_from("<H", data, vtable + 4 + 2 * slot)[0]
    return table + off if off else None


def _target(data: bytes, at: int) -> int:
    offset: int = struct.unpack_from("<I", data, at)[0]
    return at + offset


def _items(data: bytes, vector: int) -> list[_Old]:
    n = struct.unpack_from("<I", data, vector)[0]
    return [_Old(_target(data, vector + 4 + 4 * i)) for i in range(n)]


def _metadata(mean: float, std: float, outputs: int) -> bytes:
    image = _Table(
        {
            0: "image",
            3: _Table({0: ("u8", 2), 1: _Table({0: ("u8", 1)})}),  # ImageProperties, RGB
            4: _Vec([_Table({0: ("u8", 1), 1: _Table({0: _Vec((mean,)), 1: _Vec((std,))})})]),
        }
    )
    outs: list[object] = [_Table({0: f"output_{i}"}) for i in range(outputs)]
    subgraph = _Table({2: _Vec([image]), 3: _Vec(outs)})
    root = _Table({0: "pose", 3: _Vec([subgraph]), 7: "1.0.0"})
    return _Writer(b"M001").finish(root)


def with_normalization(model: bytes, mean: float, std: float, outputs: int) -> bytes:
    """The model with TFLite metadata saying how its input image is scaled."""
    if model[4:8] != b"TFL3":
        raise SystemExit("not a TensorFlow Lite model")
    root = struct.unpack_from("<I", model, 0)[0]
    fields: dict[int, object] = {}
    for slot in range(8):
        at = _field(model, root, slot)
        if at is None:
            continue
        fields[slot] = (
            ("u32", struct.unpack_from("<I", model, at)[0]) if slot == 0 else _Old(_target(model, at))
        )
    buffers = _items(model, _target(model, _field(model, root, 4) or 0))
    metadata_at = _field(model, root, 6)
    entries = _items(model, _target(model, metadata_at)) if metadata_at else []
    fields[4] = _Vec([*buffers, _Table({0: _Vec(_metadata(mean, std, outputs))})])
    fields[6] = _Vec([*entries, _Table({0: "TFLITE_METADATA", 1: ("u32", len(buffers))})])
    return _Writer(b"TFL3").finish(_Table(fields), model)


def build(out: Path = VENDOR) -> list[Path]:
    tasks, pose = NODE / "tasks-vision", NODE / "pose"
    if not tasks.is_dir() or not pose.is_dir():
        raise SystemExit("node_modules/@mediapipe is missing: run `make npm` (npm ci) first")
    shutil.rmtree(out, ignore_errors=True)
    (out / "wasm").mkdir(parents=True)
    written = [out / "vision_bundle.mjs"]
    shutil.copyfile(tasks / "vision_bundle.mjs", written[0])
    for name in WASM:
        shutil.copyfile(tasks / "wasm" / name, out / "wasm" / name)
        written.append(out / "wasm" / name)
    task = out / "pose_landmarker_lite.task"
    with zipfile.ZipFile(task, "w", compression=zipfile.ZIP_STORED) as bundle:
        bundle.writestr("pose_detector.tflite", with_normalization(_detector(pose), 127.5, 127.5, outputs=2))
        landmarks = (pose / "pose_landmark_lite.tflite").read_bytes()
        bundle.writestr(
            "pose_landmarks_detector.tflite", with_normalization(landmarks, 0.0, 255.0, outputs=5)
        )
    written.append(task)
    for name in ("LICENSE",):
        if (tasks / name).is_file():
            shutil.copyfile(tasks / name, out / name)
    return written


def main(argv: list[str]) -> int:
    files = build(Path(argv[0]) if argv else VENDOR)
    size = sum(f.stat().st_size for f in files)
    print(f"camera coach: {len(files)} files, {size / 1e6:.1f} MB in {files[0].parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
