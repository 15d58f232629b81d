"""SemiMultiTask / MultiTaskSegDet: per-task masking of the supervised
losses (against independent computations), the positives-only
unsupervised detection loss, batches without labels for a task (finite,
every parameter in the graph), single-task models, prediction and the
pseudo-label panels with boxes. Tiny model and 64x64 views of generated
data through the real config pipeline."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub

from multitask_helpers import (data_config, det_head_case, flagged_batch,
                               semi_model_cfg, tiny_network, views_dataset)

CROP = (64, 64)


@pytest.fixture(scope='module')
def mt_ds(multitask_gen_root):
    root, ann = multitask_gen_root
    cfg = data_config()
    views = dict(cfg.multitask_views.to_dict(), crop_size=CROP,
                 resize=dict(cfg.random_resize.to_dict(), scale=(128, 64)))
    return views_dataset(root, ann, views)


def _build(semi_train_cfg=None, **net):
    from mmseg.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(
        semi_model_cfg(crop=CROP, semi_train_cfg=semi_train_cfg, **net))
    model.init_weights()
    return model


_batch = flagged_batch


def _step(model, batch, backward=True):
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    loss, _ = model.parse_losses(losses)
    if backward:
        loss.backward()
    return losses, loss, data


def _total(v):
    return sum(v) if isinstance(v, (list, tuple)) else v


def test_supervised_losses_are_masked_per_task(mt_ds):
    """Ls,t over exactly the samples labeled for t and Lu,t over the
    strong views of those not labeled for t ('unlabeled'): equal to losses
    computed independently on those samples alone (student in eval mode so
    outputs do not depend on the batch)."""
    model = _build(dict(unsup_on='unlabeled', det_score_thr=0.0))
    model.eval()
    flags = [(True, False), (False, True), (True, True), (False, False)]
    batch = _batch(mt_ds, flags)
    data = model.data_preprocessor(batch, True)
    with torch.no_grad():
        losses = model.loss(data['inputs'], data['data_samples'])
    student = model.student
    weak_x, strong_x = data['inputs']['weak'], data['inputs']['strong']
    weak_ds = data['data_samples']['weak']
    with torch.no_grad():
        # segmentation: mean CE over valid pixels of samples 0 and 2
        logits = student.forward_heads(weak_x[[0, 2]])['seg']
        logits = F.interpolate(logits, CROP, mode='bilinear',
                               align_corners=False)
        gt = torch.stack([weak_ds[i].gt_sem_seg.data[0] for i in (0, 2)])
        want = F.cross_entropy(logits, gt, ignore_index=255)
        assert torch.allclose(losses['sup.seg.loss_ce'], want, rtol=1e-4)
        # detection: the head's loss on samples 1 and 2 only
        feats = student.neck(student.extract_feat(weak_x[[1, 2]]))
        want = student.bbox_head.loss(feats, [weak_ds[1], weak_ds[2]])
        for key in ('loss_cls', 'loss_bbox'):
            assert torch.allclose(
                _total(losses[f'sup.det.{key}']), _total(want[key]),
                rtol=1e-4, atol=1e-6)
        # Lu,seg: strong views of samples 1 and 3 (not seg-labeled) against
        # the published pseudo-labels (unsup samples 0, 1, 3 -> rows 1, 2)
        info = MessageHub.get_current_instance().get_info('mmssl.train_step')
        assert info['index'] == [0, 1, 3]
        logits = student.forward_heads(strong_x[[1, 3]])['seg']
        logits = F.interpolate(logits, CROP, mode='bilinear',
                               align_corners=False)
        want = F.cross_entropy(logits, info['pseudo_labels'][[1, 2]],
                               ignore_index=255)
        assert torch.allclose(losses['unsup.seg.loss_ce'], want, rtol=1e-4)
    assert len(info['teacher_boxes']) == len(info['pseudo_boxes']) == 3


def test_supervised_network_masks_tasks(mt_ds):
    """The supervised baseline (MultiTaskSegDet.loss): changing the image
    of a sample labeled only for detection leaves the segmentation loss
    unchanged, and vice versa."""
    from mmseg.registry import MODELS
    torch.manual_seed(0)
    net = MODELS.build(
        tiny_network(data_preprocessor=dict(
            type='SegDataPreProcessor', size=CROP)))
    net.eval()
    batch = _batch(mt_ds, [(True, False), (False, True)])
    weak = dict(inputs=batch['inputs']['weak'],
                data_samples=batch['data_samples']['weak'])
    with torch.no_grad():
        base = net(**net.data_preprocessor(weak, True), mode='loss')
        for i, key in ((1, 'seg.loss_ce'), (0, 'det.loss_cls')):
            changed = dict(weak, inputs=[x.clone() for x in weak['inputs']])
            changed['inputs'][i] = 255 - changed['inputs'][i]
            out = net(**net.data_preprocessor(changed, True), mode='loss')
            assert torch.equal(_total(out[key]), _total(base[key])), key
            other = 'det.loss_cls' if key.startswith('seg') else 'seg.loss_ce'
            assert not torch.equal(_total(out[other]), _total(base[other]))


def test_positives_only_ignores_background_anchors():
    """Inside positive_targets_only the classification gradient is exactly
    zero at every anchor the head's own assigner gives the background, and
    nonzero at positives; the plain loss does train those anchors (so the
    check would fail without the wrapper)."""
    from mmssl.models.multitask import positive_targets_only
    net, fwd, samples = det_head_case()
    head = net.bbox_head

    def grads(positives_only):
        cls = [c.clone().requires_grad_() for c in fwd['det'][0]]
        reg = [r.clone().requires_grad_() for r in fwd['det'][1]]
        f = dict(fwd, det=(cls, reg))
        idx = torch.arange(2)
        if positives_only:
            with positive_targets_only(head):
                losses = net.task_loss('det', f, idx, samples)
        else:
            losses = net.task_loss('det', f, idx, samples)
        sum(_total(v) for v in losses.values()).backward()
        return [c.grad for c in cls]

    # independent: the head's own targets for these anchors
    sizes = [c.shape[-2:] for c in fwd['det'][0]]
    anchors, valid = head.get_anchors(
        sizes, [s.metainfo for s in samples], device='cpu')
    labels = head.get_targets(anchors, valid,
                              [s.gt_instances for s in samples],
                              [s.metainfo for s in samples])[0]
    C = head.cls_out_channels
    for positives_only in (True, False):
        bg_max = pos_max = 0.0
        for g, lab in zip(grads(positives_only), labels):
            g = g.permute(0, 2, 3, 1).reshape(2, -1, C).abs().amax(-1)
            bg = lab == head.num_classes
            bg_max = max(bg_max, float(g[bg].max()) if bg.any() else 0.0)
            pos_max = max(pos_max,
                          float(g[~bg].max()) if (~bg).any() else 0.0)
        assert pos_max > 0
        if positives_only:
            assert bg_max == 0.0
        else:
            assert bg_max > 0
    # the head's loss_cls is restored afterwards
    assert 'forward' not in vars(head.loss_cls)


def test_unsup_detection_without_pseudo_boxes_is_zero(mt_ds):
    """No teacher box >= the threshold: the positives-only Lu,det is 0 (all
    anchors background), the plain focal loss is not."""
    batch = _batch(mt_ds, [(False, False)] * 2)
    out = {}
    for pos_only in (True, False):
        model = _build(dict(det_score_thr=1.0, det_positives_only=pos_only))
        losses, _, _ = _step(model, batch, backward=False)
        out[pos_only] = float(_total(losses['unsup.det.loss_cls']))
    assert out[True] == 0.0 and out[False] > 0


@pytest.mark.parametrize('flags,unsup_on', [
    ([(True, False)] * 3, 'unlabeled'),   # no sample labeled for detection
    ([(False, True)] * 3, 'unlabeled'),   # none for segmentation
    ([(False, False)] * 3, 'all'),        # no label at all
    ([(True, True)] * 3, 'unlabeled'),    # no unsupervised sample
])
def test_batch_without_labels_for_a_task(mt_ds, flags, unsup_on):
    """Finite losses, a gradient for every trainable student parameter and
    none for the teacher, whatever the batch holds."""
    model = _build(dict(unsup_on=unsup_on, det_score_thr=0.3))
    losses, loss, _ = _step(model, _batch(mt_ds, flags))
    assert torch.isfinite(loss)
    for k, v in losses.items():
        assert all(torch.isfinite(t).all() for t in (
            v if isinstance(v, (list, tuple)) else [v])), k
    missing = [n for n, p in model.student.named_parameters()
               if p.requires_grad and p.grad is None]
    assert not missing
    assert all(p.grad is None for p in model.teacher.parameters())
    any_seg = any(s for s, _ in flags)
    assert ('sup.seg.loss_seg_zero' in losses) == (not any_seg)


@pytest.mark.parametrize('drop', ['seg', 'det'])
def test_single_task_model(mt_ds, drop):
    net = dict(decode_head=None) if drop == 'seg' else dict(
        neck=None, bbox_head=None)
    model = _build(dict(det_score_thr=0.3), **net)
    assert model.tasks == (('det', ) if drop == 'seg' else ('seg', ))
    losses, loss, _ = _step(model, _batch(mt_ds, [(True, True),
                                                  (False, False)]))
    assert torch.isfinite(loss)
    assert not any(k.split('.')[1] == drop for k in losses if '.' in k)
    missing = [n for n, p in model.student.named_parameters()
               if p.grad is None]
    assert not missing
    info = MessageHub.get_current_instance().get_info('mmssl.train_step')
    assert ('pseudo_labels' in info) == (drop == 'det')
    assert ('pseudo_boxes' in info) == (drop == 'seg')


def test_predict_fills_both_tasks_in_original_frame(mt_ds):
    """pred_sem_seg at ori_shape; boxes divided by scale_factor as mmdet."""
    from mmdet.structures import DetDataSample
    model = _build()
    model.eval()
    net = model.teacher
    x = torch.randn(1, 3, 64, 96)
    meta = dict(img_shape=(64, 96), ori_shape=(32, 48),
                scale_factor=(2.0, 2.0))
    with torch.no_grad():
        for head in net.bbox_head.modules():  # make some boxes score high
            if isinstance(head, torch.nn.Conv2d) and head.out_channels == \
                    net.bbox_head.num_base_priors * net.bbox_head.cls_out_channels:
                head.bias.fill_(2.0)
        out = model.predict(x, [DetDataSample(metainfo=meta)])[0]
        raw = net.bbox_head.predict_by_feat(
            *net.forward_heads(x)['det'], batch_img_metas=[meta],
            rescale=False)[0]
    assert out.pred_sem_seg.data.shape == (1, 32, 48)
    assert out.seg_logits.data.shape == (19, 32, 48)
    assert len(out.pred_instances) > 0
    assert torch.allclose(out.pred_instances.bboxes, raw.bboxes / 2.0)


def test_panels_show_teacher_and_projected_boxes(mt_ds):
    """The panel hook draws the published boxes: teacher boxes on the weak
    view, projected boxes on the strong view."""
    from mmssl.engine.hooks.pseudo_label_vis_hook import (
        PseudoLabelVisualizationHook, draw_boxes)
    model = _build(dict(det_score_thr=0.0))
    batch = _batch(mt_ds, [(False, False)] * 2)
    _step(model, batch, backward=False)
    info = MessageHub.get_current_instance().get_info('mmssl.train_step')
    info = dict(info, teacher_boxes=[torch.tensor([[2., 3., 20., 30.]])] * 2,
                pseudo_boxes=[torch.tensor([[5., 6., 40., 50.]])] * 2)
    hook = PseudoLabelVisualizationHook(max_samples=1)
    palette = np.random.RandomState(0).randint(0, 255, (19, 3))
    panel = hook.make_panels(info, batch, palette.astype(np.uint8))[0]
    w = CROP[1]
    weak = panel[:, :w]
    assert (weak[3, 2:20] == (255, 255, 0)).all()  # top edge of the box
    strong = panel[:, 3 * w:4 * w]  # weak | weak labels | over | strong
    assert (strong[6, 5:40] == (255, 255, 0)).all()
    img = np.zeros((10, 10, 3), np.uint8)
    drawn = draw_boxes(img, torch.tensor([[2., 2., 6., 6.]]))
    assert (drawn[2, 2:6] == (255, 255, 0)).all()
    assert not drawn[4, 4].any() and not img.any()


def _segmentor_like(mt_model, semi_train_cfg):
    """A SemiSegmentor whose teacher is the multi-task teacher's backbone and
    segmentation head (same weights), fed by the same preprocessor."""
    from mmseg.registry import MODELS
    net = mt_model.teacher
    cfg = dict(
        type='SemiSegmentor',
        segmentor=dict(
            type='EncoderDecoder',
            backbone=tiny_network()['backbone'],
            decode_head=tiny_network()['decode_head'],
            train_cfg=dict(),
            test_cfg=dict(mode='whole')),
        semi_train_cfg=semi_train_cfg)
    model = MODELS.build(cfg)
    model.teacher.backbone.load_state_dict(net.backbone.state_dict())
    model.teacher.decode_head.load_state_dict(net.decode_head.state_dict())
    return model


@pytest.mark.parametrize('with_filter', [False, True])
def test_seg_pseudo_labels_equal_semi_segmentor(mt_ds, with_filter):
    """The multi-task model's segmentation pseudo-labels are bit-identical
    to SemiSegmentor's for the same teacher weights and batch (real
    pipeline), threshold and online DARS filter included; the filter
    really drops pixels (the test fails if a model ignores it)."""
    from mmssl.models.utils import SemiBatch
    cfg = dict(seg_pseudo_threshold=0.05, unsup_on='all')
    ss_cfg = dict(pseudo_threshold=0.05)
    if with_filter:
        filt = dict(type='OnlineDistributionAlignment', num_classes=19,
                    target=[1.0] * 19, mode='DARS', alpha=0.3, seed=3)
        cfg['pseudo_label_filter'] = filt
        ss_cfg['pseudo_label_filter'] = dict(filt)
    mt = _build(semi_train_cfg=cfg)
    # a teacher that differs from its random init's near-uniform output
    torch.manual_seed(1)
    for p in mt.teacher.decode_head.parameters():
        p.data.normal_(0, 0.3)
    ss = _segmentor_like(mt, ss_cfg)
    batch = _batch(mt_ds, [(True, True), (False, True), (True, False),
                           (False, False)], seed=2)
    data = mt.data_preprocessor(batch, True)
    for step in range(2):  # the filter's state evolves identically
        mt_batch = mt.split_batch(data['inputs'], data['data_samples'])
        ss_batch = SemiBatch(
            weak_inputs=mt_batch.weak_inputs,
            strong_inputs=mt_batch.strong_inputs,
            weak_samples=mt_batch.weak_samples,
            strong_samples=mt_batch.strong_samples,
            sup_idx=mt_batch.sup_idx,
            unsup_idx=mt_batch.unsup_idx)
        got = mt.make_pseudo_targets(mt_batch).seg
        want = ss.make_pseudo_targets(ss_batch)
        assert torch.equal(got.labels, want.labels)
        assert torch.equal(got.confidence, want.confidence)
        assert torch.equal(got.valid, want.valid)
        assert torch.equal(got.weak_labels, want.weak_labels)
        kept = (got.labels != 255).sum().item()
        confident = (got.valid & (got.confidence >= 0.05)).sum().item()
        assert confident > 0
        if with_filter:
            assert 0 < kept < confident
        else:
            assert kept == confident
    if with_filter:
        assert torch.equal(mt.pseudo_label_filter.hist,
                           ss.pseudo_label_filter.hist)
        assert mt.pseudo_label_filter.hist.sum() > 0


def test_atss_head_learns_from_pseudo_boxes(mt_ds):
    """Another mmdet one-stage head (ATSS, whose assigner reads tensor
    boxes) on the unsupervised path: the teacher's pseudo-boxes (every box
    kept, threshold 0) give a finite, non-zero Lu,det with and without
    positives-only, and the step logs how many there were per image under
    the name tools/regime_multitask.py reads (pseudo_boxes_per_img)."""
    atss = dict(
        bbox_head=dict(
            type='mmdet.ATSSHead', num_classes=8, in_channels=16,
            stacked_convs=1, feat_channels=16,
            norm_cfg=dict(type='GN', num_groups=4, requires_grad=True),
            anchor_generator=dict(
                type='AnchorGenerator', ratios=[1.0], octave_base_scale=2,
                scales_per_octave=1, strides=[8, 16, 32, 64, 128]),
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0],
                target_stds=[0.1, 0.1, 0.2, 0.2]),
            loss_cls=dict(type='mmdet.FocalLoss', use_sigmoid=True,
                          gamma=2.0, alpha=0.25, loss_weight=1.0),
            loss_bbox=dict(type='mmdet.GIoULoss', loss_weight=2.0),
            loss_centerness=dict(type='mmdet.CrossEntropyLoss',
                                 use_sigmoid=True, loss_weight=1.0)),
        train_cfg=dict(det=dict(assigner=dict(type='ATSSAssigner', topk=9),
                                allowed_border=-1, pos_weight=-1,
                                debug=False)),
        # a random-init head scores about 0.01: keep its best boxes
        test_cfg=dict(det=dict(nms_pre=1000, min_bbox_size=0, score_thr=0.0,
                               nms=dict(type='nms', iou_threshold=0.5),
                               max_per_img=10)))
    batch = _batch(mt_ds, [(False, False)] * 2)
    for pos_only in (True, False):
        model = _build(dict(det_score_thr=0.0, det_positives_only=pos_only),
                       **atss)
        losses, loss, _ = _step(model, batch)
        det = float(_total(losses['unsup.det.loss_cls']))
        assert torch.isfinite(loss) and det > 0, (pos_only, det)
        boxes = [v for k, v in losses.items()
                 if k.endswith('pseudo_boxes_per_img')]
        assert len(boxes) == 1 and float(boxes[0]) > 0
