"""Configuration mistakes fail when the config is built, naming the setting."""
import pytest
from mmengine.config import Config

import mmssl  # noqa: F401
from mmseg.registry import MODELS
from mmssl.utils import check_semi_config, replace_sync_bn

ROOT_CFG = ('configs/dense_fixmatch/dense-fixmatch_deeplabv3plus_r50-d8_'
            '4xb4-explicit-89k_cityscapes-1-32.py')


@pytest.fixture
def cfg():
    return Config.fromfile(ROOT_CFG)


def test_paper_config_passes(cfg):
    check_semi_config(cfg)


def test_unknown_crop_relation(cfg):
    cfg.train_dataloader.dataset.unlabeled.pipeline[-1].crop_relation = 'near'
    with pytest.raises(ValueError, match=r'unlabeled\.pipeline\[2\].*crop_relation'):
        check_semi_config(cfg)


def test_min_overlap_out_of_range(cfg):
    cfg.train_dataloader.dataset.labeled.pipeline[-1].min_overlap = 1.5
    with pytest.raises(ValueError, match='min_overlap'):
        check_semi_config(cfg)


def test_sampler_batch_mismatch(cfg):
    cfg.train_dataloader.sampler.batch_size = 8
    with pytest.raises(ValueError, match=r'sampler\.batch_size=8 must equal'):
        check_semi_config(cfg)


def test_num_labeled_does_not_fit(cfg):
    cfg.train_dataloader.sampler.num_labeled = 5
    with pytest.raises(ValueError, match=r'num_labeled=5 does not fit'):
        check_semi_config(cfg)


@pytest.mark.parametrize('tau', [-0.5, 1.0])
def test_threshold_out_of_range_fails_at_model_build(cfg, tau):
    cfg.model.semi_train_cfg.pseudo_threshold = tau
    cfg.model.segmentor.pretrained = None
    replace_sync_bn(cfg.model)
    with pytest.raises(ValueError, match='pseudo_threshold'):
        MODELS.build(cfg.model)
