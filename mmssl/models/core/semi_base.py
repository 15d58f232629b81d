"""The semi-supervised core: student, EMA teacher and the training-step
template every mmssl model overrides step by step."""
import copy
from abc import abstractmethod
from contextlib import contextmanager
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from torch import Tensor
from torch.profiler import record_function

from mmseg.registry import MODELS
from ..utils.labeled_flags import labeled_flags
from ..utils.semi_batch import SemiBatch, UnsupBatch

UNSUP_ON = ('unlabeled', 'all')

#: ``semi_train_cfg.teacher``: an EMA copy of the student, or the student
#: itself (read by the models that declare the key, e.g. SemiSegmentor)
TEACHER_MODES = ('ema', 'student')

#: MessageHub runtime-info key under which a semi model publishes, every
#: training step, what hooks may show (see :meth:`SemiBaseModel.publish`).
HOOK_INFO_KEY = 'mmssl.train_step'

#: prefix of the ``torch.profiler.record_function`` label of every step of
#: :meth:`SemiBaseModel.loss` (``mmssl.make_pseudo_targets``, ...): the seam
#: the step benchmarks time the core through.
STEP_PREFIX = 'mmssl.'


class SemiBaseModel(BaseModel):
    """Student and EMA teacher of one architecture, and the training step.

    What lives here is task-independent:

    * ``student`` is trained; ``teacher`` has the same architecture, never
      receives gradients and stays in eval mode (``IterBasedTrainLoop`` calls
      ``model.train()`` every iteration, so :meth:`train` is overridden);
      :class:`mmssl.engine.EMATeacherHook` keeps it an EMA of the student;
    * ``unsup_weight`` (lambda) is set each iteration by
      :class:`mmssl.engine.UnsupWeightHook`;
    * ``pseudo_label_filter``: an optional registered module (online DA /
      DARS) that every segmentation pseudo-label passes
      (:func:`mmssl.models.utils.match_seg_pseudo_labels`);
    * prediction routes to the teacher (default) or the student through
      ``semi_test_cfg['predict_on']``, the contract of
      ``mmdet.TeacherStudentValLoop``;
    * ``semi_train_cfg`` is checked against the keys the model declares
      (:attr:`semi_train_keys` along the class hierarchy): an unknown key
      is an error at build time;
    * :meth:`loss` is the template of a training step (as mmdet's
      ``SemiBaseDetector.loss`` is for ``SoftTeacher``), made of steps a
      model overrides one at a time:

      1. :meth:`split_batch` - labeled / unsupervised indices from the
         samples' labeled flags (one per task, :meth:`label_keys`);
      2. :meth:`make_pseudo_targets` - the teacher on the weak views,
         matched into the strong frame;
      3. :meth:`build_unsup_batch` - the student's unsupervised inputs,
         their data samples with the pseudo-labels, and the targets
         (:class:`UnsupBatch`);
      4. :meth:`student_forward` - ONE student forward over the labeled weak
         views and the unsupervised inputs;
      5. :meth:`loss_sup` and :meth:`loss_unsup` (weighted by
         :meth:`unsup_loss_weight`) from that forward;
      6. :meth:`pseudo_label_stats` (logged) and :meth:`hook_info`, handed
         to the hooks by :meth:`publish`.

      Each step runs inside ``torch.profiler.record_function('mmssl.<step>')``
      so profilers and the step benchmarks can time it.

    Args:
        model: config of the wrapped task model (e.g. an mmseg
            ``EncoderDecoder``); built twice.
        data_preprocessor: usually ``mmdet.MultiBranchDataPreprocessor``
            wrapping the task's own preprocessor.
        semi_train_cfg: method settings; keys: :meth:`allowed_semi_train_keys`.
        semi_test_cfg: ``dict(predict_on='teacher'|'student')``.
    """

    #: whether the segmentation pseudo-targets also carry the teacher's
    #: probabilities matched into the strong frame (bilinear); methods with
    #: soft targets set it.
    needs_probs = False

    #: ``semi_train_cfg`` keys this class reads; a subclass lists only its
    #: own, the allowed set is the union along the class hierarchy
    semi_train_keys: Tuple[str, ...] = ('unsup_weight', 'unsup_on',
                                        'pseudo_label_filter')

    def __init__(self,
                 model: dict,
                 data_preprocessor: Optional[dict] = None,
                 semi_train_cfg: Optional[dict] = None,
                 semi_test_cfg: Optional[dict] = None,
                 init_cfg=None):
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.semi_train_cfg = dict(semi_train_cfg or {})
        self.check_semi_train_cfg(self.semi_train_cfg)
        # ConfigDict: mmseg reads e.g. ``test_cfg.mode`` as attributes.
        self.student = MODELS.build(ConfigDict(copy.deepcopy(model)))
        # 'ema' (default): a second model, kept an EMA of the student by
        # EMATeacherHook; 'student' (e.g. UniMatch): no second model, the
        # student labels (in eval mode, see teacher_eval) and predicts
        teacher_mode = self.semi_train_cfg.get('teacher', 'ema')
        if teacher_mode not in TEACHER_MODES:
            raise ValueError(f'semi_train_cfg.teacher must be one of '
                             f'{TEACHER_MODES}, got {teacher_mode!r}')
        self.teacher_is_student = teacher_mode == 'student'
        if self.teacher_is_student:
            # an alias, not a submodule: no 'teacher.*' keys in the state
            # dict, no frozen parameters, train() leaves the mode alone
            object.__setattr__(self, 'teacher', self.student)
        else:
            self.teacher = MODELS.build(ConfigDict(copy.deepcopy(model)))
            self.teacher.requires_grad_(False)
            self.teacher.eval()
        self.semi_test_cfg = dict(semi_test_cfg or {})
        self.semi_test_cfg.setdefault('predict_on', 'teacher')
        if self.semi_test_cfg['predict_on'] not in ('teacher', 'student'):
            raise ValueError(
                "semi_test_cfg.predict_on must be 'teacher' or 'student', "
                f"got {self.semi_test_cfg['predict_on']!r}")
        self.unsup_weight = float(self.semi_train_cfg.get('unsup_weight', 1.0))
        self.unsup_on = self.semi_train_cfg.get('unsup_on', 'all')
        if self.unsup_on not in UNSUP_ON:
            raise ValueError(f'semi_train_cfg.unsup_on must be one of '
                             f'{UNSUP_ON}, got {self.unsup_on!r}')
        # a registered module (e.g. online DA / DARS) that keeps or drops
        # each segmentation pseudo-label; its buffers are checkpointed
        filter_cfg = self.semi_train_cfg.get('pseudo_label_filter')
        self.pseudo_label_filter = (
            MODELS.build(filter_cfg) if filter_cfg is not None else None)

    # ----------------------------------------------------------- settings
    @classmethod
    def allowed_semi_train_keys(cls) -> List[str]:
        """Every ``semi_train_cfg`` key the model reads, sorted."""
        keys = set()
        for klass in cls.__mro__:
            keys.update(vars(klass).get('semi_train_keys', ()))
        return sorted(keys)

    @classmethod
    def check_semi_train_cfg(cls, cfg: dict) -> None:
        """Raise ``ValueError`` naming the model, the unknown keys and the
        allowed ones: a typo or another model's name for a setting would
        otherwise train silently with the default."""
        allowed = cls.allowed_semi_train_keys()
        unknown = sorted(set(cfg) - set(allowed))
        if unknown:
            raise ValueError(
                f'{cls.__name__}: unknown semi_train_cfg key(s) '
                f'{", ".join(map(repr, unknown))}; allowed keys: '
                f'{", ".join(allowed)}')

    # -------------------------------------------------------------- modes
    def train(self, mode: bool = True) -> 'SemiBaseModel':
        """Set train mode on the student; the teacher always stays in eval."""
        super().train(mode)
        if not self.teacher_is_student:
            self.teacher.train(False)
        return self

    @contextmanager
    def teacher_eval(self):
        """Within the block the teacher is in eval mode: a no-op for an EMA
        teacher (always in eval); with ``teacher='student'`` the student is
        switched to eval mode (BatchNorm running statistics, no dropout)
        and back to its mode afterwards."""
        was_training = self.teacher.training
        if self.teacher_is_student and was_training:
            self.teacher.train(False)
        try:
            yield
        finally:
            if self.teacher_is_student and was_training:
                self.teacher.train(True)

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}".')

    @property
    def predictor(self) -> nn.Module:
        return getattr(self, self.semi_test_cfg['predict_on'])

    def predict(self, batch_inputs, batch_data_samples):
        return self.predictor.predict(batch_inputs, batch_data_samples)

    def _forward(self, batch_inputs, batch_data_samples=None):
        return self.predictor._forward(batch_inputs, batch_data_samples)

    # ------------------------------------------------------------ template
    def loss(self, multi_batch_inputs: Dict[str, Tensor],
             multi_batch_data_samples: Dict[str, List]) -> dict:
        """``L = Ls + lambda * Lu`` from the steps listed in the class
        docstring."""
        with _step('split_batch'):
            batch = self.split_batch(multi_batch_inputs,
                                     multi_batch_data_samples)
        with _step('make_pseudo_targets'):
            targets = self.make_pseudo_targets(batch)
        with _step('build_unsup_batch'):
            unsup = self.build_unsup_batch(batch, targets)
        sup_inputs = batch.weak_inputs[batch.sup_idx]
        sup_samples = [batch.weak_samples[i] for i in batch.sup_idx.tolist()]
        with _step('student_forward'):
            fwd = self.student_forward(
                torch.cat([sup_inputs, unsup.inputs]),
                sup_samples + list(unsup.data_samples))
        device = sup_inputs.device
        n_sup = len(sup_samples)
        n_all = n_sup + len(unsup.data_samples)
        weight = self.unsup_loss_weight(unsup.targets)
        with _step('loss_sup'):
            losses = self.loss_sup(fwd, torch.arange(n_sup, device=device),
                                   sup_samples)
        with _step('loss_unsup'):
            losses.update(
                self.loss_unsup(fwd, torch.arange(n_sup, n_all,
                                                  device=device),
                                unsup.data_samples, unsup.targets, weight))
        losses.update(unsup.log or {})
        losses['unsup_weight'] = torch.as_tensor(
            weight, dtype=sup_inputs.dtype, device=device).detach()
        losses.update(self.pseudo_label_stats(unsup, sup_inputs))
        with _step('publish'):
            self.publish(self.hook_info(batch, targets, unsup))
        return losses

    # --------------------------------------------------------------- steps
    def label_keys(self) -> Dict[str, str]:
        """Task -> the metainfo key of its labeled flag."""
        return dict(seg='is_labeled')

    def split_batch(self, multi_batch_inputs: Dict[str, Tensor],
                    multi_batch_data_samples: Dict[str, List]) -> SemiBatch:
        """Group the ``weak`` / ``strong`` branches; index the samples
        labeled for at least one task (their weak views get ``Ls``) and
        those that get ``Lu`` for at least one task (``unsup_on``:
        'unlabeled' - not labeled for it; 'all')."""
        weak_ds = multi_batch_data_samples['weak']
        labeled = {
            task: labeled_flags(weak_ds, key)
            for task, key in self.label_keys().items()
        }
        any_labeled = torch.zeros(len(weak_ds), dtype=torch.bool)
        for flags in labeled.values():
            any_labeled |= flags
        if self.unsup_on == 'all':
            any_unsup = torch.ones(len(weak_ds), dtype=torch.bool)
        else:
            any_unsup = torch.zeros(len(weak_ds), dtype=torch.bool)
            for flags in labeled.values():
                any_unsup |= ~flags
        return SemiBatch(
            weak_inputs=multi_batch_inputs['weak'],
            strong_inputs=multi_batch_inputs['strong'],
            weak_samples=weak_ds,
            strong_samples=multi_batch_data_samples['strong'],
            sup_idx=any_labeled.nonzero().flatten(),
            unsup_idx=any_unsup.nonzero().flatten(),
            labeled=labeled)

    def unsup_flags(self, batch: SemiBatch, task: str) -> Tensor:
        """Host bool ``[N]``: the samples that get ``Lu`` for ``task``."""
        if self.unsup_on == 'all':
            return torch.ones_like(batch.labeled[task])
        return ~batch.labeled[task]

    @abstractmethod
    def make_pseudo_targets(self, batch: SemiBatch):
        """Teacher targets for ``batch.unsup_idx`` in the strong frame."""

    @abstractmethod
    def build_unsup_batch(self, batch: SemiBatch, targets) -> UnsupBatch:
        """The student's unsupervised inputs, data samples and targets."""

    @abstractmethod
    def student_forward(self, inputs: Tensor, data_samples: List):
        """One student forward over ``inputs`` (labeled weak views, then the
        unsupervised inputs)."""

    @abstractmethod
    def loss_sup(self, fwd, index: Tensor, data_samples: List) -> dict:
        """``Ls`` for the samples ``index`` of the forward."""

    @abstractmethod
    def loss_unsup(self, fwd, index: Tensor, data_samples: List, targets,
                   weight) -> dict:
        """``weight * Lu`` for the samples ``index`` of the forward."""

    def unsup_loss_weight(self, targets):
        """lambda: the ramp hook's current value (a float, or a tensor for
        methods whose weight depends on the targets)."""
        return self.unsup_weight

    def pseudo_label_stats(self, unsup: UnsupBatch, ref: Tensor) -> dict:
        """Logged scalars about the pseudo-labels (none by default)."""
        return dict()

    def hook_info(self, batch: SemiBatch, targets, unsup: UnsupBatch) -> dict:
        """What the hooks of this step may show: the indices of the
        unsupervised samples into the batch and the student's inputs for
        them (``student_images``: those inputs as uint8 RGB when they differ
        from the strong views, e.g. mixed)."""
        info = dict(
            index=batch.unsup_idx.tolist(),
            student_inputs=unsup.inputs.detach())
        if unsup.images is not None:
            info['student_images'] = unsup.images
        return info

    @staticmethod
    def publish(info: dict) -> None:
        """Hand ``info`` to the hooks of this training step.

        Stored as MessageHub runtime info under :data:`HOOK_INFO_KEY`,
        replaced every step (never merged with an older step's) and left out
        of checkpoints. Tensors are detached references, not copies.
        """
        MessageHub.get_current_instance().update_info(
            HOOK_INFO_KEY, info, resumed=False)


def _step(name: str):
    return record_function(STEP_PREFIX + name)
