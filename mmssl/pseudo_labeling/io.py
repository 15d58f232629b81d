"""Atomic file writes and PNG completeness checks for resumable output."""
import json
import os

import cv2
import numpy as np

from mmssl.datasets.transforms.loading import encoded_image_problem


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and
    ``os.replace``: a reader (or a resumed run) never sees half a file."""
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'wb') as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def atomic_write_json(path: str, obj) -> None:
    atomic_write_bytes(path, json.dumps(obj, indent=1).encode())


def encode_label_png(label: np.ndarray) -> bytes:
    """Single-channel uint8 PNG bytes (deterministic, OpenCV)."""
    ok, buf = cv2.imencode('.png', np.ascontiguousarray(label, np.uint8))
    if not ok:
        raise RuntimeError('OpenCV could not encode a label map as PNG')
    return buf.tobytes()


def png_is_complete(path: str) -> bool:
    """``path`` exists and holds a complete PNG (signature and IEND)."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        return False
    return data.startswith(b'\x89PNG') and encoded_image_problem(data) is None
