"""Seeds for random pixel sampling that do not depend on rank or order.

A pixel-sampling seed is a hash of the global seed, the image's name and the
class, so an image gets the same pseudo-label whichever rank writes it and
whether or not the run was interrupted before it.
"""
import hashlib

import numpy as np


def image_class_seed(seed: int, name: str, class_id: int) -> int:
    """64-bit seed from ``(seed, image name, class)`` (BLAKE2b)."""
    key = f'{int(seed)}\x1f{name}\x1f{int(class_id)}'.encode()
    return int.from_bytes(
        hashlib.blake2b(key, digest_size=8).digest(), 'little')


def image_class_rng(seed: int, name: str,
                    class_id: int) -> np.random.Generator:
    """A numpy ``Generator`` seeded by :func:`image_class_seed`."""
    return np.random.Generator(
        np.random.PCG64(image_class_seed(seed, name, class_id)))
