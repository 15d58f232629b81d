"""The feature-perturbation seam (SemiSegmentor.perturbed_student_forward)
on model-zoo families of tests/test_model_zoo_wrap.py: one UniMatch
training step each (eval-mode pseudo-labels, heads on clean + dropped-out
features, two mixed strong views) through the real preprocessor, with a
finite loss, the feature-perturbation loss of every head, and a gradient in
every trainable student parameter."""
import copy
import math

import pytest
import torch
from mmengine.registry import init_default_scope

from mmseg.registry import MODELS
from test_model_zoo_wrap import FAMILIES
from zoo_helpers import offline_segmentor_cfg, raw_two_view_batch, semi_cfg

# plain heads + FCN aux, transformers, HRNet, a cascade (OCRNet), a
# per-part head (PointRend, on an FPN neck), several outputs (DANet, PIDNet
# with its edge loss and train-only outputs), query-based heads (K-Net,
# Mask2Former with its own mask sampler). 12 families; the other zoo
# families share these code paths (tests/test_model_zoo_wrap.py).
SEAM_FAMILIES = ('fcn', 'pspnet', 'deeplabv3plus', 'segformer',
                 'segmenter', 'hrnet', 'ocrnet', 'pointrend', 'danet',
                 'pidnet', 'knet', 'mask2former')


@pytest.fixture(autouse=True, scope='module')
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def three_view_batch(labeled, h, w, num_classes, with_edge):
    batch = raw_two_view_batch(
        labeled, h, w, num_classes, with_edge=with_edge)
    batch['inputs']['strong2'] = [x.clone() for x in batch['inputs']['strong']]
    batch['data_samples']['strong2'] = copy.deepcopy(
        batch['data_samples']['strong'])
    return batch


@pytest.mark.parametrize('family', SEAM_FAMILIES)
def test_unimatch_step_on_zoo_family(family):
    config, (h, w), opts = FAMILIES[family]
    torch.manual_seed(0)
    segmentor, seg_pre = offline_segmentor_cfg(config, opts.get('over'))
    init_default_scope('mmseg')
    cfg = semi_cfg(segmentor, seg_pre, (h, w), **opts.get('semi', {}))
    cfg['type'] = 'UniMatch'
    cfg['semi_train_cfg'].update(unsup_on='unlabeled')
    model = MODELS.build(cfg)
    assert model.teacher is model.student
    model.train()
    batch = three_view_batch([True, False, False], h, w, model.num_classes,
                             opts.get('edge', False))
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    loss, log_vars = model.parse_losses(losses)
    assert math.isfinite(loss.item()), log_vars
    assert model.student.training  # back in train mode after labelling
    names = {k.split('.', 1)[1] for k in losses if 'loss' in k}
    for stream in ('sup', 'unsup_s1', 'unsup_s2', 'unsup_fp'):
        got = {k.split('.', 1)[1] for k in losses
               if k.startswith(stream + '.') and 'loss' in k}
        assert got == names, (stream, got, names)
    loss.backward()
    missing = [
        n for n, p in model.student.named_parameters()
        if p.requires_grad and p.grad is None
    ]
    assert not missing, missing
    assert any(p.grad.abs().sum() > 0
               for n, p in model.student.named_parameters()
               if n.startswith('backbone') and p.grad is not None)


# UniMatch V2's Complementary Dropout on feature structures of different
# kinds: stage widths (ResNet, MiT), ViT tokens with a class token
# (Segmenter), HRNet branches, a cascade (OCRNet), PIDNet's three outputs
V2_FAMILIES = ('deeplabv3plus', 'segformer', 'segmenter', 'hrnet', 'pidnet',
               'ocrnet')


@pytest.mark.parametrize('family', V2_FAMILIES)
def test_unimatch_v2_step_on_zoo_family(family):
    config, (h, w), opts = FAMILIES[family]
    torch.manual_seed(0)
    segmentor, seg_pre = offline_segmentor_cfg(config, opts.get('over'))
    init_default_scope('mmseg')
    cfg = semi_cfg(segmentor, seg_pre, (h, w), **opts.get('semi', {}))
    cfg['type'] = 'UniMatchV2'
    cfg['semi_train_cfg'].update(unsup_on='unlabeled', teacher='ema',
                                 pseudo_threshold=0.0)
    model = MODELS.build(cfg)
    model.teacher.load_state_dict(model.student.state_dict())
    model.train()
    # two unlabeled samples: one pair of strong views per image
    batch = three_view_batch([True, False, False], h, w, model.num_classes,
                             opts.get('edge', False))
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    loss, log_vars = model.parse_losses(losses)
    assert math.isfinite(loss.item()), log_vars
    names = {k.split('.', 1)[1] for k in losses if 'loss' in k}
    for stream in ('sup', 'unsup_s1', 'unsup_s2'):
        got = {k.split('.', 1)[1] for k in losses
               if k.startswith(stream + '.') and 'loss' in k}
        assert got == names, (stream, got, names)
    loss.backward()
    missing = [
        n for n, p in model.student.named_parameters()
        if p.requires_grad and p.grad is None
    ]
    assert not missing, missing
    assert all(p.grad is None for p in model.teacher.parameters())
