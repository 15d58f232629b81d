"""Fail at config build time, naming the setting, instead of mid-training.

mmengine builds datasets, pipelines and samplers lazily (when training
starts, in every dataloader worker), so a typo in a transform argument or a
sampler that does not fit the batch would otherwise surface late and
obscurely. ``tools/train.py`` calls :func:`check_semi_config` right after
loading the config.
"""
from typing import Iterator, Tuple

from mmengine.registry import DefaultScope

from mmseg.registry import TRANSFORMS


def _train_datasets(cfg) -> Iterator[Tuple[str, dict]]:
    ds = cfg.train_dataloader.dataset
    if 'labeled' in ds and 'unlabeled' in ds:
        yield 'train_dataloader.dataset.labeled', ds.labeled
        yield 'train_dataloader.dataset.unlabeled', ds.unlabeled
    elif 'datasets' in ds:
        for i, sub in enumerate(ds.datasets):
            yield f'train_dataloader.dataset.datasets[{i}]', sub
    else:
        yield 'train_dataloader.dataset', ds


def check_semi_config(cfg) -> None:
    """Validate the training data settings of ``cfg``.

    * every transform of every training pipeline builds (so e.g. an unknown
      ``crop_relation`` of ``SemiViews`` raises here);
    * an explicit sampler's ``batch_size`` equals the dataloader's and
      ``num_labeled`` fits in it.

    Raises:
        ValueError: naming the offending setting.
    """
    if 'train_dataloader' not in cfg:
        return
    loader = cfg.train_dataloader
    scope = cfg.get('default_scope', 'mmseg')
    with DefaultScope.overwrite_default_scope(scope):
        for where, ds in _train_datasets(cfg):
            for i, t in enumerate(ds.get('pipeline', [])):
                try:
                    TRANSFORMS.build(t)
                except Exception as e:  # re-raised naming the setting
                    raise ValueError(f'{where}.pipeline[{i}] '
                                     f"({t.get('type')}): {e}") from e
    sampler = loader.get('sampler', {}) or {}
    if 'num_labeled' in sampler or 'batch_size' in sampler:
        bs = loader.get('batch_size')
        if sampler.get('batch_size') != bs:
            raise ValueError(
                f'train_dataloader.sampler.batch_size='
                f"{sampler.get('batch_size')} must equal "
                f'train_dataloader.batch_size={bs}: the sampler yields '
                'batches of exactly that many indices per rank')
        n = sampler.get('num_labeled')
        if n is not None and not (isinstance(n, int) and 0 <= n <= bs):
            raise ValueError(
                f'train_dataloader.sampler.num_labeled={n!r} does not fit '
                f'a batch of {bs} (expected an integer in [0, {bs}])')
