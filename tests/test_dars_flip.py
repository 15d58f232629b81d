"""DARS pseudo-labeling inference (issue 16, point 4): as the authors'
tool/gen_pseudo_label_utils.py, the image is resized to the base size,
predicted window by window, each window's logits averaged with those of its
mirrored crop (net_process, flip=True) BEFORE any softmax, the windows'
logits averaged, resized to the original size, then divided by the
temperature and soft-maxed. Recomputed here window by window."""
import math

import numpy as np
import torch
import torch.nn.functional as F
from test_dars_loss import tiny_model_cfg

import mmssl  # noqa: F401
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS, TRANSFORMS
from mmssl.pseudo_labeling.offline import SegmentorPredictor

ORI = (24, 40)  # H, W of the image
BASE = (20, 12)  # Resize scale (W, H): the long side to 20, half size
CROP = 8


def sample(seed=0):
    rng = np.random.default_rng(seed)
    results = dict(img=rng.integers(0, 256, ORI + (3, ), dtype=np.uint8),
                   img_path='u.png', ori_shape=ORI, img_shape=ORI)
    results = TRANSFORMS.build(
        dict(type='Resize', scale=BASE, keep_ratio=True))(results)
    return TRANSFORMS.build(dict(type='PackSegInputs'))(results)


def network(model, crop):
    """Logits of one crop at the crop's size (backbone + decode head)."""
    logits = model.decode_head(model.extract_feat(crop))
    return F.interpolate(logits, size=crop.shape[-2:], mode='bilinear',
                         align_corners=False)


def authors_probs(model, inputs, temperature):
    """scale_process + net_process(flip=True), then softmax(logits / T)."""
    _, _, h, w = inputs.shape
    stride = int(math.ceil(CROP * 2 / 3))
    grid_h = int(math.ceil((h - CROP) / stride) + 1)
    grid_w = int(math.ceil((w - CROP) / stride) + 1)
    acc = torch.zeros(1, 3, h, w)
    count = torch.zeros(1, 1, h, w)
    for ih in range(grid_h):
        for iw in range(grid_w):
            e_h = min(ih * stride + CROP, h)
            e_w = min(iw * stride + CROP, w)
            s_h, s_w = e_h - CROP, e_w - CROP
            crop = inputs[:, :, s_h:e_h, s_w:e_w]
            out = (network(model, crop) +
                   network(model, crop.flip(3)).flip(3)) / 2
            acc[:, :, s_h:e_h, s_w:e_w] += out
            count[:, :, s_h:e_h, s_w:e_w] += 1
    logits = F.interpolate(acc / count, size=ORI, mode='bilinear',
                           align_corners=False)
    return (logits[0] / temperature).softmax(0)


def test_flip_averages_window_logits_before_softmax():
    init_default_scope('mmseg')
    torch.manual_seed(0)
    cfg = tiny_model_cfg('EncoderDecoder')
    cfg['test_cfg'] = ConfigDict(mode='slide', crop_size=(CROP, CROP),
                                 stride=(6, 6))
    model = MODELS.build(cfg).eval()
    s = sample()
    inputs = model.data_preprocessor(
        dict(inputs=[s['inputs']], data_samples=[s['data_samples']]),
        False)['inputs']
    assert tuple(inputs.shape[-2:]) == (12, 20)  # half resolution
    temperature = 1.7
    with torch.no_grad():
        want = authors_probs(model, inputs, temperature)
        got = SegmentorPredictor(model, flip=True,
                                 temperature=temperature)(sample())
        plain = SegmentorPredictor(model, flip=False,
                                   temperature=temperature)(sample())
    assert got.shape == (3, ) + ORI
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    # the flip matters, and averaging probabilities would differ
    assert not torch.allclose(got, plain, atol=1e-4)
    # the wrapper is gone after the call: the model predicts unflipped
    assert 'encode_decode' not in vars(model)

    # SelfTrainingEncoderDecoder with test_cfg.flip (evaluation) predicts
    # the same logits; the predictor does not flip it a second time
    cfg_st = tiny_model_cfg()
    cfg_st['test_cfg'] = ConfigDict(cfg['test_cfg'], flip=True)
    st = MODELS.build(cfg_st).eval()
    st.load_state_dict(model.state_dict())
    with torch.no_grad():
        by_model = SegmentorPredictor(st, flip=False,
                                      temperature=temperature)(sample())
        both = SegmentorPredictor(st, flip=True,
                                  temperature=temperature)(sample())
    torch.testing.assert_close(by_model, want, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(both, want, rtol=1e-5, atol=1e-6)
