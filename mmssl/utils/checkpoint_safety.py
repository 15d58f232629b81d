"""Resume mmengine checkpoints under ``torch.load(weights_only=True)``.

torch >= 2.6 loads with ``weights_only=True`` by default. An mmengine
checkpoint holds, besides tensors, the message hub: ``HistoryBuffer`` objects
holding numpy arrays and scalars, and, through ``HistoryBuffer.__getstate__``,
its statistics functions pickled as ``getattr(HistoryBuffer, 'mean')``. So
``--resume`` fails with ``UnpicklingError`` out of the box.

The fix is narrow and keeps ``weights_only`` on for every load:

* ``HistoryBuffer`` and the numpy array/scalar/dtype reconstructors are
  allow-listed with ``torch.serialization.add_safe_globals``;
* ``HistoryBuffer`` is pickled without its statistics functions (a
  ``copyreg`` reducer; mmengine re-registers the defaults on unpickling and
  custom statistics are class-level registrations made at import), so new
  checkpoints never contain ``builtins.getattr``, which we do NOT allow-list.

A downloaded checkpoint carrying any other pickled object is still refused.
"""
import copyreg

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer

_REGISTERED = False


def checkpoint_safe_globals() -> list:
    """The non-tensor types found in mmengine (0.10.x) training checkpoints."""
    try:  # numpy >= 2
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    dtype_classes = [
        type(np.dtype(t))
        for t in (np.float16, np.float32, np.float64, np.int8, np.int16,
                  np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                  np.uint64, np.bool_)
    ]
    return [HistoryBuffer, _reconstruct, scalar, np.ndarray, np.dtype
            ] + dtype_classes


def _reduce_history_buffer(buffer: HistoryBuffer):
    state = {
        k: v
        for k, v in buffer.__dict__.items() if k != 'statistics_methods'
    }
    return HistoryBuffer, (), state


def register_checkpoint_safe_globals() -> None:
    """Make mmengine checkpoints loadable with ``weights_only=True``."""
    global _REGISTERED
    if _REGISTERED:
        return
    copyreg.pickle(HistoryBuffer, _reduce_history_buffer)
    if hasattr(torch.serialization, 'add_safe_globals'):
        torch.serialization.add_safe_globals(checkpoint_safe_globals())
    _REGISTERED = True
