"""What the steps of a semi-supervised training step pass to each other."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, NamedTuple, Optional

from torch import Tensor


@dataclass
class SemiBatch:
    """A preprocessed two-view batch, split by labels.

    ``weak_*`` / ``strong_*`` are the padded batch tensors and data samples
    of the two branches (index ``i`` is the same source image in both).
    ``sup_idx`` indexes the samples whose weak view gets the supervised loss
    (labeled ones); ``unsup_idx`` those whose strong view gets the
    unsupervised loss (``unsup_on``: unlabeled ones, or all).
    ``labeled`` maps each task (``seg``, ``det``) to its bool ``[N]``
    labeled flags. Indices and flags are host (CPU) tensors: they index
    device tensors without a device synchronisation.
    """
    weak_inputs: Tensor
    strong_inputs: Tensor
    weak_samples: List
    strong_samples: List
    sup_idx: Tensor  # long [n_sup]
    unsup_idx: Tensor  # long [n_unsup]
    labeled: Dict[str, Tensor] = field(default_factory=dict)


@dataclass
class PseudoTargets:
    """Teacher targets for the ``unsup_idx`` samples, in the strong frame.

    All maps have the strong batch's padded size ``(H, W)``:

    * ``labels`` ``[n, H, W]`` long: teacher argmax matched into the strong
      view; ``ignore_index`` outside ``valid`` or below the threshold tau;
    * ``confidence`` ``[n, H, W]``: teacher max probability (0 where not
      ``valid``);
    * ``valid`` ``[n, H, W]`` bool: the pixel sees the weak view and is not
      in the strong view's ignore region (batch padding, area outside the
      image after geometric ops, erased boxes of ``Cutout(erase_seg=True)``);
    * ``probs`` ``[n, C, H, W]``: teacher probabilities (bilinear matching),
      only when the method asks for them (``needs_probs``), else None;
    * ``weak_labels`` ``[n, h, w]``: the teacher argmax in the weak frame
      before matching (for pseudo-label panels).
    """
    labels: Tensor
    confidence: Tensor
    valid: Tensor
    weak_labels: Tensor
    probs: Optional[Tensor] = None


class UnsupBatch(NamedTuple):
    """The student's unsupervised part, as a model's ``build_unsup_batch``
    makes it: ``inputs`` ``[n, 3, H, W]``, their data samples (pseudo-labels
    as ground truth), the ``targets`` in the frame of ``inputs`` (the
    model's own type, e.g. :class:`PseudoTargets`), for the panels
    ``images`` (uint8 RGB ``[n, 3, H, W]`` of ``inputs``) when the inputs
    are not the strong views themselves, and ``log``: scalar tensors the
    step logs (e.g. how many samples mixed)."""
    inputs: Tensor
    data_samples: List
    targets: Any
    images: Optional[Tensor] = None
    log: Optional[Dict[str, Tensor]] = None
