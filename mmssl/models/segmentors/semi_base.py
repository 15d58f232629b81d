"""The semi-supervised core shared by every mmssl task model."""
import copy
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from torch import Tensor

from mmseg.registry import MODELS
from ..utils.semi_batch import SemiBatch

UNSUP_ON = ('unlabeled', 'all')

#: MessageHub runtime-info key under which a semi model publishes, every
#: training step, what hooks may show (see :meth:`SemiBaseModel.publish`).
HOOK_INFO_KEY = 'mmssl.train_step'


class SemiBaseModel(BaseModel):
    """Student and EMA teacher of one architecture, plus the loss weight.

    Task models (segmentation, multi-task) subclass this and implement
    ``loss`` from small steps. What lives here is task-independent:

    * ``student`` is trained; ``teacher`` has the same architecture, never
      receives gradients and stays in eval mode (``IterBasedTrainLoop`` calls
      ``model.train()`` every iteration, so :meth:`train` is overridden);
      :class:`mmssl.engine.EMATeacherHook` keeps it an EMA of the student;
    * ``unsup_weight`` (lambda) is set each iteration by
      :class:`mmssl.engine.UnsupWeightHook`;
    * prediction routes to the teacher (default) or the student through
      ``semi_test_cfg['predict_on']``, the contract of
      ``mmdet.TeacherStudentValLoop``;
    * :meth:`split_batch` (labeled / unsupervised indices from the samples'
      ``is_labeled``) and :meth:`publish` (data for hooks, renewed every
      step through mmengine's ``MessageHub``, never kept on the model).

    Args:
        model: config of the wrapped task model (e.g. an mmseg
            ``EncoderDecoder``); built twice.
        data_preprocessor: usually ``mmdet.MultiBranchDataPreprocessor``
            wrapping the task's own preprocessor.
        semi_train_cfg: method settings, validated by subclasses.
        semi_test_cfg: ``dict(predict_on='teacher'|'student')``.
    """

    def __init__(self,
                 model: dict,
                 data_preprocessor: Optional[dict] = None,
                 semi_train_cfg: Optional[dict] = None,
                 semi_test_cfg: Optional[dict] = None,
                 init_cfg=None):
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        # ConfigDict: mmseg reads e.g. ``test_cfg.mode`` as attributes.
        self.student = MODELS.build(ConfigDict(copy.deepcopy(model)))
        self.teacher = MODELS.build(ConfigDict(copy.deepcopy(model)))
        self.teacher.requires_grad_(False)
        self.teacher.eval()
        self.semi_train_cfg = dict(semi_train_cfg or {})
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

    def train(self, mode: bool = True) -> 'SemiBaseModel':
        """Set train mode on the student; the teacher always stays in eval."""
        super().train(mode)
        self.teacher.train(False)
        return self

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

    # ------------------------------------------------------------ steps
    def split_batch(self, multi_batch_inputs: Dict[str, Tensor],
                    multi_batch_data_samples: Dict[str, List]) -> SemiBatch:
        """Group the ``weak`` / ``strong`` branches and index the samples
        that get the supervised and the unsupervised loss.

        Raises:
            KeyError: a weak sample has no ``is_labeled`` in its metainfo
                (it is never guessed: an unlabeled sample taken as labeled
                would train on an empty map).
        """
        weak_ds = multi_batch_data_samples['weak']
        flags = []
        for ds in weak_ds:
            if 'is_labeled' not in ds.metainfo:
                raise KeyError(
                    f"data sample {ds.metainfo.get('img_path', '?')} has no "
                    "'is_labeled': load labels with LoadCheckedAnnotations "
                    '(labeled) or LoadEmptySegMap (unlabeled) and list '
                    "'is_labeled' in the packer's meta_keys (PackSegInputs "
                    'in the SemiViews branches)')
            flags.append(bool(ds.metainfo['is_labeled']))
        # indices stay on the host: they come from metadata, and a device
        # nonzero() / tolist() would wait for the GPU every step
        labeled = torch.tensor(flags, dtype=torch.bool)
        unsup = ~labeled if self.unsup_on == 'unlabeled' else torch.ones_like(
            labeled)
        return SemiBatch(
            weak_inputs=multi_batch_inputs['weak'],
            strong_inputs=multi_batch_inputs['strong'],
            weak_samples=weak_ds,
            strong_samples=multi_batch_data_samples['strong'],
            sup_idx=labeled.nonzero().flatten(),
            unsup_idx=unsup.nonzero().flatten())

    @staticmethod
    def publish(info: dict) -> None:
        """Hand ``info`` to the hooks of this training step.

        Stored as MessageHub runtime info under :data:`HOOK_INFO_KEY`,
        replaced every step (never merged with an older step's) and left out
        of checkpoints. Tensors are detached references, not copies.
        """
        MessageHub.get_current_instance().update_info(
            HOOK_INFO_KEY, info, resumed=False)
