"""What a DARS self-training round trains with (``tools/dars_rounds.py``).

* :class:`MarkPseudoLabeled`: a transform after ``PackSegInputs`` in the
  pseudo-labeled dataset's pipeline; sets ``is_pseudo_labeled=True`` in the
  sample's metainfo (the labeled part uses the stock pipeline).
* :class:`SelfTrainingEncoderDecoder`: an mmseg ``EncoderDecoder`` whose
  training loss is eq. 2 of the paper, ``1/N_l sum L(labeled) + 1/N_u sum
  L(pseudo-labeled)``: every head's own loss on the labeled samples plus its
  loss on the pseudo-labeled samples, each averaged over its own valid
  pixels (``CrossEntropyLoss(avg_non_ignore=True)`` in the heads). As the
  authors' code (tool/train_func.py: ``model(input, target)`` line 91 and
  ``model(unsup_x, unsup_label)`` line 101, ``loss = supervised_loss +
  args.consistency_lambda * pseudo_loss`` line 120), each part runs its own
  forward pass (so batch-norm statistics are per part too). With
  ``test_cfg.flip=True`` inference averages every window's logits with its
  mirror's, as the authors' evaluation and pseudo-labeling.
* :class:`LoadOptimizerStateHook`: "the student model resumes from the
  teacher model" (section 3.1): the authors resume the previous round's
  checkpoint with its optimizer state (tool/train.py lines 240-248:
  ``optimizer.load_state_dict(checkpoint['optimizer'])``); this hook loads
  the optimizer state (momentum buffers) of the previous round's checkpoint
  into the new run, keeping the new run's learning rates.
"""
import copy
from typing import List

from mmcv.transforms import BaseTransform
from mmengine.hooks import Hook
from mmengine.logging import print_log
from torch import Tensor

from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import HOOKS, MODELS, TRANSFORMS
from mmseg.utils import add_prefix
from .offline import flip_averaged_logits

#: metainfo key of a pseudo-labeled sample (absent or False: labeled)
PSEUDO_LABELED_KEY = 'is_pseudo_labeled'


@TRANSFORMS.register_module()
class MarkPseudoLabeled(BaseTransform):
    """Mark a packed sample as pseudo-labeled: put it after
    ``PackSegInputs`` in the pseudo-labeled dataset's pipeline;
    :class:`SelfTrainingEncoderDecoder` averages its loss separately."""

    def transform(self, results: dict) -> dict:
        sample = results.get('data_samples')
        if sample is None or not hasattr(sample, 'set_metainfo'):
            raise KeyError('MarkPseudoLabeled goes after PackSegInputs in the '
                           "pipeline (no packed 'data_samples' in the results "
                           f"of {results.get('img_path')})")
        sample.set_metainfo({PSEUDO_LABELED_KEY: True})
        return results


def pseudo_labeled_flags(data_samples) -> List[bool]:
    """Host list: whether each sample is pseudo-labeled."""
    return [bool(s.metainfo.get(PSEUDO_LABELED_KEY, False))
            for s in data_samples]


@MODELS.register_module()
class SelfTrainingEncoderDecoder(EncoderDecoder):
    """``EncoderDecoder`` trained with DARS's eq. 2 (module docstring).

    A batch is split by the ``is_pseudo_labeled`` metainfo flag
    (:class:`MarkPseudoLabeled`) into its labeled and its pseudo-labeled
    samples; each part goes through ``EncoderDecoder.loss`` on its own
    (backbone, decode head and auxiliary heads with their own loss code), so
    with ``avg_non_ignore=True`` each head's loss is the mean over that
    part's valid pixels. Losses are returned as ``labeled.<head>.<name>`` and
    ``pseudo.<head>.<name>`` (the pseudo part's ``loss*`` entries times
    ``pseudo_loss_weight``, the authors' ``consistency_lambda``, 1.0 in all
    their configs); mmengine sums every ``loss*`` entry. A batch of one part
    only (round 0) is one ``EncoderDecoder.loss``.

    Every rank must hold the same composition (``ExplicitSemiSampler``
    gives each rank fixed counts): a part that runs on one rank only would
    leave SyncBN waiting on the others.

    ``test_cfg.flip=True``: at inference every window's logits (whole image
    or sliding crop) are averaged with those of its mirror image
    (:func:`~.offline.flip_averaged_logits`).

    Args:
        pseudo_loss_weight: weight of the pseudo-labeled part (eq. 2: 1).
        *args, **kwargs: ``EncoderDecoder``'s.
    """

    def __init__(self, *args, pseudo_loss_weight: float = 1.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.pseudo_loss_weight = float(pseudo_loss_weight)

    @property
    def test_flip(self) -> bool:
        """Whether inference averages the logits with the mirror's."""
        return bool((self.test_cfg or {}).get('flip', False))

    def loss(self, inputs: Tensor, data_samples) -> dict:
        flags = pseudo_labeled_flags(data_samples)
        losses = dict()
        for name, want in (('labeled', False), ('pseudo', True)):
            idx = [i for i, f in enumerate(flags) if f == want]
            if not idx:
                continue
            part = super().loss(inputs[idx], [data_samples[i] for i in idx])
            if want and self.pseudo_loss_weight != 1.0:
                # the entries mmengine sums (parse_losses: 'loss' in key)
                part = {
                    k: v * self.pseudo_loss_weight if 'loss' in k else v
                    for k, v in part.items()
                }
            losses.update(add_prefix(part, name))
        return losses

    def encode_decode(self, inputs: Tensor, batch_img_metas: List[dict]):
        if self.test_flip and not self.training:
            return flip_averaged_logits(super().encode_decode, inputs,
                                        batch_img_metas)
        return super().encode_decode(inputs, batch_img_metas)


@HOOKS.register_module()
class LoadOptimizerStateHook(Hook):
    """Before training, load the optimizer state of ``checkpoint`` (the
    previous round's final checkpoint) into this run's optimizer.

    The per-parameter state (SGD momentum buffers, Adam moments) is taken
    from the checkpoint; every hyper-parameter of the param groups (lr,
    initial_lr, momentum, weight decay) stays this run's, so the learning
    rate follows this run's schedule (``tools/dars_rounds.py`` starts round
    k's poly schedule where the authors' continued schedule is). Skipped
    when the run itself was resumed (its own optimizer state is loaded).
    The param groups must match one to one (the same model and
    ``paramwise_cfg`` in both rounds).
    """

    priority = 'VERY_HIGH'

    def __init__(self, checkpoint: str):
        self.checkpoint = checkpoint

    def before_train(self, runner) -> None:
        if runner.iter > 0:
            print_log(
                f'LoadOptimizerStateHook: run resumed at iteration '
                f'{runner.iter}; not loading {self.checkpoint}',
                logger='current')
            return
        from mmssl.utils.export import load_checkpoint_file
        ckpt = load_checkpoint_file(self.checkpoint)
        state = ckpt.get('optimizer') if isinstance(ckpt, dict) else None
        if not state or 'state' not in state:
            raise KeyError(f'{self.checkpoint} has no optimizer state (not a '
                           'checkpoint of an mmengine training run with a '
                           'single optimizer)')
        optimizer = runner.optim_wrapper.optimizer
        own = [{k: v for k, v in g.items() if k != 'params'}
               for g in optimizer.param_groups]
        saved = state['param_groups']
        sizes = [len(g['params']) for g in optimizer.param_groups]
        saved_sizes = [len(g['params']) for g in saved]
        if sizes != saved_sizes:
            raise ValueError(
                f'{self.checkpoint}: its optimizer has {len(saved)} param '
                f'groups of {sum(saved_sizes)} parameters, this run '
                f'{len(sizes)} of {sum(sizes)}; both rounds need the same '
                'model and optim_wrapper.paramwise_cfg')
        optimizer.load_state_dict(
            dict(state=state['state'], param_groups=copy.deepcopy(saved)))
        for group, keep in zip(optimizer.param_groups, own):
            group.update(keep)
        print_log(
            f'LoadOptimizerStateHook: optimizer state of {self.checkpoint} '
            f'loaded ({len(state["state"])} parameter states)',
            logger='current')
