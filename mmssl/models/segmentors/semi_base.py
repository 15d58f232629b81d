"""The semi-supervised core shared by every mmssl task model."""
import copy
from typing import Optional

import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.model import BaseModel

from mmseg.registry import MODELS


class SemiBaseModel(BaseModel):
    """Student and EMA teacher of one architecture, plus the loss weight.

    Task models (segmentation, multi-task) subclass this and implement
    ``loss``. What lives here is task-independent:

    * ``student`` is trained; ``teacher`` has the same architecture, never
      receives gradients and stays in eval mode (``IterBasedTrainLoop`` calls
      ``model.train()`` every iteration, so :meth:`train` is overridden);
      :class:`mmssl.engine.EMATeacherHook` keeps it an EMA of the student;
    * ``unsup_weight`` (lambda) is set each iteration by
      :class:`mmssl.engine.UnsupWeightHook`;
    * prediction routes to the teacher (default) or the student through
      ``semi_test_cfg['predict_on']``, the contract of
      ``mmdet.TeacherStudentValLoop``.

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
