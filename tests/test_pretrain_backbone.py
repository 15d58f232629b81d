"""The CPU pretraining stand-in's cache key (tools/pretrain_backbone.py):
what trains the backbone changes it, the shared fragment's variables that
the pretraining does not use do not."""
import copy
import functools
import os.path as osp
import sys

from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools'))
from pretrain_backbone import stamp_key, training_text  # noqa: E402

CFG = osp.join(ROOT, 'configs/cpu_benchmark/pretrain_deeplabv3plus_r18-d16_'
               '1xb8-cpu-1000i_synthcityscapes-categories.py')


@functools.lru_cache(maxsize=None)
def _parsed():  # one parse; each key works on a copy
    return Config.fromfile(CFG)


def _key(**overrides):
    cfg = copy.deepcopy(_parsed())
    cfg.merge_from_dict(overrides)
    return stamp_key(training_text(cfg))


def test_fragment_variables_do_not_change_the_key():
    base = _key()
    assert _key(cpu_stage2_iters=999) == base
    assert _key(cpu_new_variable=dict(a=1)) == base
    text = training_text(copy.deepcopy(_parsed()))
    assert "cpu_stage2_iters" not in text and "train_cfg" in text


def test_training_fields_change_the_key():
    base = _key()
    assert _key(**{'optim_wrapper.optimizer.lr': 1e-2}) != base
    assert _key(**{'train_cfg.max_iters': 10}) != base
    assert _key(**{'model.backbone.depth': 34}) != base
