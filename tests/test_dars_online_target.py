"""The online DARS filter reads its labeled split lazily (issue 16, point
8): a Dense FixMatch + online DARS model is built (and tested with a
checkpoint) on a machine without the training data; the first filter call
in training fails naming the missing split file."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmssl  # noqa: F401
from mmseg.registry import MODELS
from mmssl.utils import replace_sync_bn

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO = osp.join(
    ROOT, 'configs', 'demo',
    'dense-fixmatch-dars_deeplabv3plus_r18-d8_1xb8-explicit-same-cpu-'
    'sup300i-100i_synthcityscapes-8.py')


def _batch(n=2, hw=(8, 8), seed=0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 3, (n, ) + hw, generator=g)
    conf = torch.rand((n, ) + hw, generator=g)
    return labels, conf, torch.ones_like(labels, dtype=torch.bool)


def test_missing_split_fails_at_first_training_call_only(tmp_path):
    init_default_scope('mmseg')
    missing = dict(type='SemiCityscapesDataset',
                   data_root=str(tmp_path / 'no_data') + '/',
                   ann_file='splits/8/split0/labeled.txt',
                   data_prefix=dict(img_path='leftImg8bit/train',
                                    seg_map_path='gtFine/train'))
    filt = MODELS.build(dict(type='OnlineDistributionAlignment',
                             num_classes=3, target=missing, alpha=0.5))
    assert torch.isnan(filt.target).all()  # not read yet
    filt.train()
    want = str(tmp_path / 'no_data' / 'splits/8/split0/labeled.txt')
    with pytest.raises(FileNotFoundError) as err:
        filt(*_batch())
    assert want in str(err.value)
    assert int(filt.step) == 0  # nothing counted

    # a checkpoint carries the distribution: loaded, the filter works
    # without the file (what tools/test.py needs)
    trained = MODELS.build(dict(type='OnlineDistributionAlignment',
                                num_classes=3, target=[0.5, 0.3, 0.2],
                                alpha=0.5)).train()
    trained(*_batch())
    filt.load_state_dict(trained.state_dict())
    filt.eval()
    keep = filt(*_batch(seed=1))
    assert keep.shape == (2, 8, 8)
    torch.testing.assert_close(filt.target_distribution(),
                               torch.tensor([0.5, 0.3, 0.2],
                                            dtype=torch.float64))


def test_semi_model_builds_without_training_data(tmp_path):
    """The Dense FixMatch + online DARS demo model with its labeled split
    pointing nowhere: building it (tools/test.py builds the model before
    loading the checkpoint) does not read the split."""
    init_default_scope('mmseg')
    cfg = Config.fromfile(DEMO)
    model = copy.deepcopy(cfg.model)
    replace_sync_bn(model)
    target = model.semi_train_cfg.pseudo_label_filter.target
    target.data_root = str(tmp_path / 'elsewhere') + '/'
    seg = model.segmentor
    seg.pretrained = None
    seg.backbone.update(base_channels=8, stem_channels=8)
    seg.decode_head.update(in_channels=64, c1_in_channels=8, channels=8,
                           c1_channels=8)
    seg.auxiliary_head.update(in_channels=32, channels=8)
    built = MODELS.build(model)
    assert torch.isnan(built.pseudo_label_filter.target).all()
