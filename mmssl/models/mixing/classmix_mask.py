"""ClassMix masks from the teacher's argmax, batched."""
from typing import List, Tuple

import torch
from torch import Tensor

from mmseg.registry import TASK_UTILS


@TASK_UTILS.register_module()
class ClassMixMaskGenerator:
    """ClassMix (Olsson et al. 2021, algorithm 1).

    For each image A: ``C`` = the classes present in the teacher's argmax on
    A (its valid pixels); choose ``floor(|C| / 2)`` of them uniformly at
    random, without replacement. The paper (algorithm 1, line 5: ``|c| =
    |C| / 2``) is silent on odd ``|C|``; the authors' code rounds down, on
    its only class-mask path (ClassMix ``trainSSL.py``:409,
    ``np.random.choice(nclasses, int((nclasses - nclasses % 2) / 2),
    replace=False)``), so an image whose argmax has a single class pastes
    nothing and the mixed image is all B. ``mask`` is True where A's argmax
    is a chosen class: those pixels of A are pasted on the partner B,
    elsewhere the mixed image shows B (``trainSSL.py``:129 ->
    ``utils/transformsgpu.py`` ``mix``: ``mask * A + (1 - mask) * B``).
    Batched on the labels' device, without host synchronisation.
    """
    needs_partner = True

    def __call__(self, labels: Tensor, image_hw: List[Tuple[int, int]],
                 num_classes: int) -> Tensor:
        n = labels.shape[0]
        flat = labels.flatten(1).clamp(max=num_classes)  # ignored -> extra
        present = torch.zeros((n, num_classes + 1),
                              dtype=torch.bool,
                              device=labels.device)
        present.scatter_(1, flat, True)
        present = present[:, :num_classes]
        # random order of the present classes first: rank < floor(|C| / 2)
        scores = torch.rand((n, num_classes), device=labels.device)
        scores = torch.where(present, scores, torch.full_like(scores, 2.0))
        rank = scores.argsort(dim=1).argsort(dim=1)
        num_chosen = present.sum(dim=1) // 2
        chosen = present & (rank < num_chosen[:, None])
        chosen = torch.cat([chosen, chosen.new_zeros((n, 1))], dim=1)
        return chosen.gather(1, flat).view_as(labels)
