"""Where each view of a padded two-view batch lies: homographies, unpadded
extents, batch-frame metadata and the strong views' ignore region."""
from typing import List, Sequence, Tuple

import torch
from torch import Tensor


def stack_homographies(data_samples, device) -> Tensor:
    """``[n, 3, 3]`` float64: each view's ``homography_matrix`` (original
    image -> view), as recorded by the view's transforms."""
    mats = []
    for ds in data_samples:
        if 'homography_matrix' not in ds.metainfo:
            raise KeyError(
                f"data sample {ds.metainfo.get('img_path', '?')} has no "
                "'homography_matrix': build the views with SemiViews (or "
                'transforms that record it: mmdet Resize / RandomFlip / '
                "RandomCrop, mmssl Exact*) and list 'homography_matrix' in "
                "PackSegInputs' meta_keys")
        mats.append(torch.as_tensor(ds.homography_matrix, dtype=torch.float64))
    return torch.stack(mats).to(device)


def valid_hw(ds) -> Tuple[int, int]:
    """Unpadded ``(h, w)`` of a sample (``SegDataPreProcessor`` stores it as
    a ``torch.Size``)."""
    h, w = ds.img_shape[:2]
    return int(h), int(w)


def batch_frame_metas(inputs: Tensor, data_samples: Sequence) -> List[dict]:
    """Each sample's metainfo with ``img_shape`` and ``pad_shape`` set to the
    padded batch size as a tuple.

    mmseg decode heads resize their logits to ``pad_shape`` unless
    ``img_shape`` is a ``torch.Size`` (their sign of slide inference, which
    ``SegDataPreProcessor`` leaves on every sample): with the preprocessor's
    metadata a padded batch's logits are all resized to the FIRST sample's
    unpadded size. These metas keep them in the padded batch frame, the
    frame of the student's loss and of the matching.
    """
    shape = tuple(int(s) for s in inputs.shape[2:])
    return [
        dict(ds.metainfo, img_shape=shape, pad_shape=shape)
        for ds in data_samples
    ]


def strong_ignore_region(strong_samples: Sequence, shape: Tuple[int, int],
                         device: torch.device, ignore_index: int) -> Tensor:
    """``[n, H, W]`` bool: where the strong views' ``gt_sem_seg`` is
    ``ignore_index`` (geometric padding, erased boxes of
    ``Cutout(erase_seg=True)``, void labels; unlabeled samples carry
    ``LoadEmptySegMap``'s in-view value elsewhere), plus batch padding."""
    region = torch.ones((len(strong_samples), ) + tuple(shape),
                        dtype=torch.bool, device=device)
    for k, ds in enumerate(strong_samples):
        if 'gt_sem_seg' not in ds:
            raise KeyError(
                f"strong view of {ds.metainfo.get('img_path', '?')} has "
                'no gt_sem_seg: load LoadCheckedAnnotations or '
                'LoadEmptySegMap before SemiViews')
        gt = ds.gt_sem_seg.data[0].to(device)
        h, w = valid_hw(ds)
        h, w = min(h, gt.shape[0], shape[0]), min(w, gt.shape[1], shape[1])
        region[k, :h, :w] = gt[:h, :w] == ignore_index
    return region
