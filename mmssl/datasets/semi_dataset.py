"""Labeled and unlabeled datasets as one named training set."""
from typing import List, Optional, Union

from mmengine.dataset import ConcatDataset

from mmseg.registry import DATASETS


@DATASETS.register_module()
class SemiDataset(ConcatDataset):
    """``ConcatDataset([labeled, unlabeled])`` with named parts.

    Indices ``[0, len(labeled))`` are labeled, the rest unlabeled, which is
    what :class:`ExplicitSemiSampler` and :class:`ImplicitSemiSampler`
    expect. Naming the two parts (instead of a list) lets a config that
    inherits a method config change only a split, e.g.
    ``train_dataloader = dict(dataset=dict(labeled=dict(ann_file=...)))``.
    """

    def __init__(self,
                 labeled: Union[dict, object],
                 unlabeled: Union[dict, object],
                 lazy_init: bool = False,
                 ignore_keys: Optional[Union[str, List[str]]] = None):
        super().__init__([labeled, unlabeled],
                         lazy_init=lazy_init,
                         ignore_keys=ignore_keys)

    @property
    def labeled(self):
        return self.datasets[0]

    @property
    def unlabeled(self):
        return self.datasets[1]
