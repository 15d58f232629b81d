"""DARS eq. 2 (issue 16, point 1): a round's loss is the mean cross-entropy
over the valid labeled pixels plus the mean over the valid pseudo-labeled
pixels, each part averaged on its own, computed here by hand from the
network's logits."""
import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import mmssl  # noqa: F401
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS, TRANSFORMS

NUM_CLASSES = 3
HW = (32, 32)


def tiny_model_cfg(type_='SelfTrainingEncoderDecoder'):
    norm = dict(type='BN', requires_grad=True)
    loss = dict(type='CrossEntropyLoss', use_sigmoid=False,
                avg_non_ignore=True)
    return dict(
        type=type_,
        data_preprocessor=dict(
            type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_val=0,
            seg_pad_val=255, size=HW),
        backbone=dict(
            type='ResNetV1c', depth=18, base_channels=8, stem_channels=8,
            num_stages=4, out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4),
            strides=(1, 2, 1, 1), norm_cfg=norm, contract_dilation=True),
        decode_head=dict(
            type='FCNHead', in_channels=64, in_index=3, channels=8,
            num_convs=1, concat_input=False, dropout_ratio=0.0,
            num_classes=NUM_CLASSES, norm_cfg=norm, align_corners=False,
            loss_decode=dict(loss, loss_weight=1.0)),
        auxiliary_head=dict(
            type='FCNHead', in_channels=32, in_index=2, channels=8,
            num_convs=1, concat_input=False, dropout_ratio=0.0,
            num_classes=NUM_CLASSES, norm_cfg=norm, align_corners=False,
            loss_decode=dict(loss, loss_weight=0.4)),
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))


def packed_sample(rng, pseudo: bool, keep: float = 1.0):
    """A sample through PackSegInputs (+ MarkPseudoLabeled): random image,
    random labels, a share ``1 - keep`` of them ignored (alpha-sparse
    pseudo-labels)."""
    img = rng.integers(0, 256, HW + (3, ), dtype=np.uint8)
    seg = rng.integers(0, NUM_CLASSES, HW).astype(np.uint8)
    seg[rng.random(HW) >= keep] = 255
    results = dict(img=img, gt_seg_map=seg, seg_fields=['gt_seg_map'],
                   img_path=f'{"u" if pseudo else "l"}.png', ori_shape=HW,
                   img_shape=HW, reduce_zero_label=False)
    results = TRANSFORMS.build(dict(type='PackSegInputs'))(results)
    if pseudo:
        results = TRANSFORMS.build(dict(type='MarkPseudoLabeled'))(results)
    return results


def mean_valid_ce(logits, labels):
    """Mean cross-entropy over the pixels whose label is not 255."""
    logits = F.interpolate(logits, size=labels.shape[-2:], mode='bilinear',
                           align_corners=False)
    logp = torch.log_softmax(logits, dim=1)
    valid = labels != 255
    picked = logp.gather(1, torch.where(valid, labels, 0)[:, None])[:, 0]
    return -(picked[valid]).sum() / valid.sum(), valid.sum()


@pytest.fixture(scope='module', autouse=True)
def _scope():
    init_default_scope('mmseg')


def test_loss_is_sum_of_per_part_means():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    # 2 labeled (dense) + 2 pseudo-labeled (alpha 0.2: 80 % ignored)
    samples = [packed_sample(rng, False), packed_sample(rng, False),
               packed_sample(rng, True, keep=0.2),
               packed_sample(rng, True, keep=0.2)]
    assert [s['data_samples'].metainfo.get('is_pseudo_labeled', False)
            for s in samples] == [False, False, True, True]
    model = MODELS.build(tiny_model_cfg()).train()
    batch = model.data_preprocessor(
        dict(inputs=[s['inputs'] for s in samples],
             data_samples=[s['data_samples'] for s in samples]), True)
    losses = model.loss(batch['inputs'], batch['data_samples'])
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert set(k for k in losses if 'loss' in k) == {
        'labeled.decode.loss_ce', 'labeled.aux.loss_ce',
        'pseudo.decode.loss_ce', 'pseudo.aux.loss_ce'}

    # independent: the same weights in a stock EncoderDecoder, each part
    # through the network on its own (the authors' two forwards), the
    # cross-entropy averaged over that part's valid pixels by hand
    plain = MODELS.build(tiny_model_cfg('EncoderDecoder')).train()
    plain.load_state_dict(copy.deepcopy(model.state_dict()))
    labels = torch.stack(
        [d.gt_sem_seg.data[0] for d in batch['data_samples']]).long()
    expect, pooled_sum, pooled_n = 0.0, 0.0, 0
    for idx in ([0, 1], [2, 3]):
        x = plain.extract_feat(batch['inputs'][idx])
        ce, n = mean_valid_ce(plain.decode_head(x), labels[idx])
        ce_aux, _ = mean_valid_ce(plain.auxiliary_head(x), labels[idx])
        expect = expect + ce + 0.4 * ce_aux
        pooled_sum, pooled_n = pooled_sum + ce * n, pooled_n + n
    torch.testing.assert_close(total, expect, rtol=1e-5, atol=1e-6)
    # the labeled part is dense, the pseudo-labeled part keeps 20 %: one
    # cross-entropy over the batch's valid pixels would weigh the parts by
    # their valid pixels instead (decode head shown)
    assert pooled_n < 0.7 * 4 * HW[0] * HW[1]
    l_dec = losses['labeled.decode.loss_ce']
    u_dec = losses['pseudo.decode.loss_ce']
    assert not torch.isclose(l_dec + u_dec, 2 * pooled_sum / pooled_n)


def test_one_part_only_and_pseudo_weight():
    """Round 0 (labeled only) is the stock loss; pseudo_loss_weight scales
    only the pseudo-labeled part's loss entries."""
    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    samples = [packed_sample(rng, False) for _ in range(2)]
    cfg = tiny_model_cfg()
    model = MODELS.build(cfg).train()
    plain = MODELS.build(tiny_model_cfg('EncoderDecoder')).train()
    plain.load_state_dict(model.state_dict())
    data = dict(inputs=[s['inputs'] for s in samples],
                data_samples=[s['data_samples'] for s in samples])
    batch = model.data_preprocessor(data, True)
    got = model.loss(batch['inputs'], batch['data_samples'])
    want = plain.loss(batch['inputs'], batch['data_samples'])
    assert set(got) == {f'labeled.{k}' for k in want}
    for k, v in want.items():
        torch.testing.assert_close(got[f'labeled.{k}'], v)

    rng = np.random.default_rng(2)
    samples = [packed_sample(rng, False), packed_sample(rng, True, 0.5)]
    batch = model.data_preprocessor(
        dict(inputs=[s['inputs'] for s in samples],
             data_samples=[s['data_samples'] for s in samples]), True)
    heavy = MODELS.build(dict(cfg, pseudo_loss_weight=0.5)).train()
    heavy.load_state_dict(model.state_dict())
    a = model.loss(batch['inputs'], batch['data_samples'])
    b = heavy.loss(batch['inputs'], batch['data_samples'])
    for k in a:
        scale = 0.5 if k.startswith('pseudo.') and 'loss' in k else 1.0
        torch.testing.assert_close(b[k], a[k] * scale)


def test_mark_needs_packed_sample():
    with pytest.raises(KeyError, match='after PackSegInputs'):
        TRANSFORMS.build(dict(type='MarkPseudoLabeled'))(
            dict(img_path='x.png'))
