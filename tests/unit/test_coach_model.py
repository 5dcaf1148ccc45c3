"""The camera coach's model build: the input-scaling metadata written into a TFLite model keeps every
byte of the original reachable and adds exactly what the tasks API reads."""

from __future__ import annotations

import struct

from scripts.coach_model import _field, _items, _Table, _target, _Vec, _Writer, with_normalization


def _string(data: bytes, pos: int) -> str:
    n = struct.unpack_from("<I", data, pos)[0]
    return data[pos + 4 : pos + 4 + n].decode()


def _bytes_of(data: bytes, buffer_table: int) -> tuple[int, bytes]:
    vec = _target(data, _field(data, buffer_table, 0) or 0)
    n = struct.unpack_from("<I", data, vec)[0]
    return vec + 4, data[vec + 4 : vec + 4 + n]


def _tiny_model() -> bytes:
    """A model-shaped FlatBuffer: version 3, two buffers (one with weights), one metadata entry."""
    weights = bytes(range(32))
    root = _Table(
        {
            0: ("u32", 3),
            4: _Vec([_Table({}), _Table({0: _Vec(weights)})]),  # buffer 0 is always empty
            6: _Vec([_Table({0: "min_runtime_version", 1: ("u32", 0)})]),
        }
    )
    return _Writer(b"TFL3").finish(root)


def test_the_metadata_is_added_and_the_original_buffers_stay_readable() -> None:
    model = _tiny_model()
    out = with_normalization(model, 127.5, 127.5, outputs=2)
    assert out[4:8] == b"TFL3" and out.endswith(model)
    root = struct.unpack_from("<I", out, 0)[0]
    assert struct.unpack_from("<I", out, _field(out, root, 0) or 0)[0] == 3
    buffers = _items(out, _target(out, _field(out, root, 4) or 0))
    assert len(buffers) == 3
    start, weights = _bytes_of(out, buffers[1].pos)
    assert weights == bytes(range(32)) and start % 16 == 0
    entries = _items(out, _target(out, _field(out, root, 6) or 0))
    names = [_string(out, _target(out, _field(out, e.pos, 0) or 0)) for e in entries]
    assert names == ["min_runtime_version", "TFLITE_METADATA"]
    assert struct.unpack_from("<I", out, _field(out, entries[1].pos, 1) or 0)[0] == 2
    _, metadata = _bytes_of(out, buffers[2].pos)
    assert metadata[4:8] == b"M001"


def test_the_metadata_says_how_the_image_is_scaled() -> None:
    out = with_normalization(_tiny_model(), 0.0, 255.0, outputs=5)
    root = struct.unpack_from("<I", out, 0)[0]
    buffers = _items(out, _target(out, _field(out, root, 4) or 0))
    _, md = _bytes_of(out, buffers[-1].pos)
    top = struct.unpack_from("<I", md, 0)[0]
    (subgraph,) = _items(md, _target(md, _field(md, top, 3) or 0))
    (image,) = _items(md, _target(md, _field(md, subgraph.pos, 2) or 0))
    outputs = _items(md, _target(md, _field(md, subgraph.pos, 3) or 0))
    assert len(outputs) == 5
    (unit,) = _items(md, _target(md, _field(md, image.pos, 4) or 0))
    assert md[_field(md, unit.pos, 0) or 0] == 1  # NormalizationOptions
    options = _target(md, _field(md, unit.pos, 1) or 0)
    mean = _target(md, _field(md, options, 0) or 0)
    std = _target(md, _field(md, options, 1) or 0)
    assert struct.unpack_from("<If", md, mean) == (1, 0.0)
    assert struct.unpack_from("<If", md, std) == (1, 255.0)
