"""The one reader of the samples' "labeled for this task" metainfo."""
from typing import Sequence

import torch
from torch import Tensor

#: how each metainfo key gets into the data samples (for the error message)
_HOW_TO_SET = {
    'is_labeled': ('load labels with LoadCheckedAnnotations (labeled) or '
                   "LoadEmptySegMap (unlabeled) and list 'is_labeled' in the "
                   "packer's meta_keys (PackSegInputs in the SemiViews "
                   'branches)'),
}
_MULTITASK_HOW = ('load labels with LoadMultiTaskAnnotations and pack with '
                  'PackMultiTaskInputs (its default meta_keys carry '
                  "'seg_labeled' / 'det_labeled')")


def labeled_flags(data_samples: Sequence, key: str) -> Tensor:
    """Host bool ``[N]``: ``data_samples[i].metainfo[key]``.

    The flags stay on the host: they come from metadata, and a device
    ``nonzero()`` / ``tolist()`` would wait for the accelerator every step.

    Raises:
        KeyError: a sample lacks ``key``. It is never guessed: an unlabeled
            sample taken as labeled would train on an empty map.
    """
    flags = []
    for ds in data_samples:
        if key not in ds.metainfo:
            raise KeyError(
                f"data sample {ds.metainfo.get('img_path', '?')} has no "
                f"'{key}': {_HOW_TO_SET.get(key, _MULTITASK_HOW)}")
        flags.append(bool(ds.metainfo[key]))
    return torch.tensor(flags, dtype=torch.bool)


def labeled_index(data_samples: Sequence, key: str) -> Tensor:
    """Host long indices of the samples whose ``metainfo[key]`` is true."""
    return labeled_flags(data_samples, key).nonzero().flatten()
