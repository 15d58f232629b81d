"""DeepLabV2Head: the sum of four dilated 3x3 classifiers, no extra conv_seg,
every parameter trained, inside an mmseg EncoderDecoder, and the DeepLab-v2
base config (output stride 8)."""
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData

import mmssl  # noqa: F401  (registers DeepLabV2Head)
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmseg')


def _head(**kw):
    cfg = dict(type='DeepLabV2Head', in_channels=8, num_classes=5)
    cfg.update(kw)
    return MODELS.build(cfg)


def _samples(n, h, w, num_classes, seed=0):
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        s = SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w),
                                        pad_shape=(h, w)))
        seg = torch.randint(0, num_classes, (1, h, w), generator=g)
        seg[:, :2] = 255  # some ignored pixels
        s.gt_sem_seg = PixelData(data=seg)
        out.append(s)
    return out


def test_forward_is_sum_of_dilated_convs():
    head = _head()
    head.init_weights()
    assert not hasattr(head, 'conv_seg')
    assert [c.dilation for c in head.aspp] == [(d, d) for d in (6, 12, 18, 24)]
    x = torch.randn(2, 8, 30, 27)
    expected = sum(
        F.conv2d(x, c.weight, c.bias, padding=d, dilation=d)
        for c, d in zip(head.aspp, (6, 12, 18, 24)))
    out = head((torch.randn(2, 4, 60, 54), x))  # in_index=-1: last map
    torch.testing.assert_close(out, expected)
    assert out.shape == (2, 5, 30, 27)
    # the original's init: weights N(0, 0.01), here biases 0
    w = torch.cat([c.weight.flatten() for c in head.aspp])
    assert abs(w.std().item() - 0.01) < 0.002
    assert all(torch.all(c.bias == 0) for c in head.aspp)
    # a two-branch head (the public code's effective classifier)
    two = _head(dilations=(6, 12))
    assert len(two.aspp) == 2
    with pytest.raises(NotImplementedError, match='conv_seg'):
        head.cls_seg(x)


def test_every_parameter_gets_a_gradient_from_loss():
    head = _head(loss_decode=dict(type='CrossEntropyLoss',
                                  avg_non_ignore=True))
    head.train()
    samples = _samples(2, 32, 32, 5)
    losses = head.loss((torch.randn(2, 8, 8, 8), ), samples, dict())
    assert set(losses) == {'loss_ce', 'acc_seg'}
    losses['loss_ce'].backward()
    names = [n for n, _ in head.named_parameters()]
    assert len(names) == 8  # 4 x (weight, bias): nothing else
    for n, p in head.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, n


@pytest.mark.parametrize('bad', [(), (6, 0), (6, 1.5), [True]])
def test_bad_dilations_name_the_setting(bad):
    with pytest.raises(ValueError, match='dilations'):
        _head(dilations=bad)


def test_inside_encoder_decoder_loss_and_predict():
    """Small ResNetV1c-18 at output stride 8, as the configs' R101."""
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs/_base_/models/deeplabv2_r101-d8.py'))
    model_cfg = cfg.model
    assert model_cfg.backbone.strides == (1, 2, 1, 1)
    assert model_cfg.backbone.dilations == (1, 1, 2, 4)
    assert model_cfg.pretrained == 'open-mmlab://resnet101_v1c'
    assert model_cfg.decode_head.dilations == (6, 12, 18, 24)
    assert 'auxiliary_head' not in model_cfg
    model_cfg.pretrained = None
    model_cfg.backbone.update(depth=18, norm_cfg=dict(type='BN',
                                                      requires_grad=True))
    model_cfg.decode_head.update(in_channels=512, num_classes=4)
    model = MODELS.build(model_cfg)
    model.init_weights()
    feats = model.extract_feat(torch.zeros(1, 3, 64, 48))
    assert feats[-1].shape[-2:] == (8, 6)  # output stride 8
    inputs = torch.randn(2, 3, 64, 48)
    samples = _samples(2, 64, 48, 4)
    model.train()
    losses = model.loss(inputs, samples)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    for n, p in model.named_parameters():
        if p.requires_grad:
            assert p.grad is not None, n
    model.eval()
    with torch.no_grad():
        preds = model.predict(inputs, _samples(2, 64, 48, 4))
    assert preds[0].pred_sem_seg.data.shape == (1, 64, 48)
    assert preds[0].seg_logits.data.shape == (4, 64, 48)


def test_semi_mix_base_config_wraps_the_segmentor():
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs/_base_/models/semi_mix_deeplabv2_r101-d8.py'))
    assert cfg.model.type == 'MixSemiSegmentor'
    seg = cfg.model.segmentor
    assert seg.type == 'EncoderDecoder' and seg.data_preprocessor is None
    assert seg.decode_head.type == 'DeepLabV2Head'
    assert cfg.model.data_preprocessor.data_preprocessor.type == \
        'mmseg.SegDataPreProcessor'
