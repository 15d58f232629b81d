"""Soft Teacher's background weighting of the unsupervised detection loss
(``det_teacher_background``): the teacher's per-anchor background scores in
mmdet's anchor order, the weighted focal loss against an independent
computation (and its limits: weight 1 is the plain loss, weight 0 the
positives-only one), the wiring through SemiMultiTask on FixMatch* views of
generated data, and the config / geometry errors."""
import pytest
import torch
from mmdet.models.losses.focal_loss import py_sigmoid_focal_loss
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.logging import MessageHub
from mmengine.structures import InstanceData

from multitask_helpers import (data_config, det_head_case, flagged_batch,
                               semi_model_cfg, views_dataset)

CROP = (64, 64)


def test_background_scores_follow_the_heads_anchor_order():
    """Row ``(h * W + w) * A + a`` of a level holds 1 - max_c sigmoid of
    anchor ``a``'s class channels at (h, w) (softmax: its last class)."""
    from mmssl.models.multitask import background_scores
    torch.manual_seed(0)
    n, A, C, H, W = 2, 3, 4, 5, 6
    s = torch.randn(n, A * C, H, W)
    bg = background_scores([s], C, use_sigmoid=True)[0]
    assert bg.shape == (n, H * W * A)
    for i, h, w, a in ((1, 2, 3, 1), (0, 4, 5, 2), (1, 0, 0, 0)):
        want = 1 - s[i, a * C:(a + 1) * C, h, w].sigmoid().max()
        assert torch.isclose(bg[i, (h * W + w) * A + a], want)
    s = torch.randn(n, A * (C + 1), H, W)
    bg = background_scores([s], C, use_sigmoid=False)[0]
    want = s[1, 2 * (C + 1):3 * (C + 1), 3, 4].softmax(0)[-1]
    assert torch.isclose(bg[1, (3 * W + 4) * A + 2], want)
    with pytest.raises(ValueError, match='not A x 4'):
        background_scores([torch.randn(1, 7, 2, 2)], 4, use_sigmoid=True)


def _cls_losses(net, fwd, samples, levels=None, positives_only=False):
    from mmssl.models.multitask import (positive_targets_only,
                                        teacher_weighted_background)
    head, idx = net.bbox_head, torch.arange(2)
    if levels is not None:
        with teacher_weighted_background(head, levels):
            out = net.task_loss('det', fwd, idx, samples)
    elif positives_only:
        with positive_targets_only(head):
            out = net.task_loss('det', fwd, idx, samples)
    else:
        out = net.task_loss('det', fwd, idx, samples)
    assert 'forward' not in vars(head.loss_cls)  # restored
    return out['loss_cls']


def test_weighted_focal_loss_equals_an_independent_computation():
    """Per level: sum over anchors of the focal loss times the head's label
    weight times (1 at positives, the teacher's score r at the background),
    over the head's avg_factor, rescaled by sum(w) / max(sum(w * soft), 1)
    per level (mmdet SoftTeacher's normalisation); r = 1 gives the plain
    loss, r = 0 the positives-only loss times its rescaling."""
    net, fwd, samples = det_head_case()
    head = net.bbox_head
    sizes = [c.shape[-2:] for c in fwd['det'][0]]
    anchors, valid = head.get_anchors(sizes, [s.metainfo for s in samples],
                                      device='cpu')
    (labels, label_w, _, _, avg) = head.get_targets(
        anchors, valid, [s.gt_instances for s in samples],
        [s.metainfo for s in samples])
    avg = max(float(avg), 1.0)  # mmdet: reduce_mean(avg_factor)
    torch.manual_seed(1)
    r = [torch.rand(2, c.shape[-2] * c.shape[-1] * head.num_base_priors)
         for c in fwd['det'][0]]
    got = _cls_losses(net, fwd, samples, [x.reshape(-1) for x in r])
    C = head.cls_out_channels
    for lvl, cls in enumerate(fwd['det'][0]):
        score = cls.permute(0, 2, 3, 1).reshape(-1, C)
        lab, w = labels[lvl].reshape(-1), label_w[lvl].reshape(-1).float()
        pos = (lab >= 0) & (lab < head.num_classes)
        soft = torch.where(pos, torch.ones_like(w), r[lvl].reshape(-1))
        onehot = torch.zeros_like(score)
        onehot[pos, lab[pos]] = 1
        per = py_sigmoid_focal_loss(score, onehot, None, gamma=2.0,
                                    alpha=0.25, reduction='none').sum(1)
        scale = w.sum() / (w * soft).sum().clamp(min=1)
        want = (per * w * soft).sum() / avg * scale
        assert torch.allclose(got[lvl], want, rtol=1e-5), lvl
    ones = [torch.ones(x.numel()) for x in r]
    plain = _cls_losses(net, fwd, samples)
    for a, b in zip(_cls_losses(net, fwd, samples, ones), plain):
        assert torch.allclose(a, b, rtol=1e-6)
    zeros = [torch.zeros(x.numel()) for x in r]
    pos_only = _cls_losses(net, fwd, samples, positives_only=True)
    for lvl, (a, b) in enumerate(
            zip(_cls_losses(net, fwd, samples, zeros), pos_only)):
        lab = labels[lvl].reshape(-1)
        w = label_w[lvl].reshape(-1).float()
        npos = (w * ((lab >= 0) & (lab < head.num_classes))).sum()
        assert torch.allclose(a, b * w.sum() / npos.clamp(min=1), rtol=1e-5)


def test_levels_called_at_once_and_wrong_anchor_counts():
    """A head that concatenates its levels (FCOS) gets the levels' scores
    concatenated level-major; a call whose targets are not the teacher's
    anchors is an error that says so."""
    from mmssl.models.multitask.teacher_background import \
        _TeacherWeightedLoss
    seen = []

    def forward(score, labels, weight, avg_factor=None):
        seen.append(weight)
        return weight.sum()

    levels = [torch.tensor([.1, .2, .3, .4]), torch.tensor([.5, .6])]
    loss = _TeacherWeightedLoss(forward, 3, levels)
    labels = torch.tensor([3, 0, 3, 3, 1, 3])  # 3: background
    out = loss(torch.zeros(6, 3), labels, None, avg_factor=2)
    assert torch.allclose(seen[0], torch.tensor([.1, 1, .3, .4, 1, .6]))
    assert torch.allclose(out, seen[0].sum() * 6 / seen[0].sum())
    per_level = _TeacherWeightedLoss(forward, 3, levels)
    per_level(torch.zeros(4, 3), labels[:4], torch.ones(4))
    per_level(torch.zeros(2, 3), labels[4:], torch.ones(2))
    assert torch.allclose(seen[-1], torch.tensor([1, .6]))
    with pytest.raises(RuntimeError, match=r'\[4, 2\] anchors per level'):
        per_level(torch.zeros(2, 3), labels[4:], torch.ones(2))


@pytest.fixture(scope='module')
def star_ds(multitask_gen_root):
    root, ann = multitask_gen_root
    cfg = data_config()
    resize = dict(cfg.random_resize.to_dict(), scale=(128, 64))
    star = dict(cfg.fixmatch_star_views.to_dict(), crop_size=CROP,
                resize=resize)
    dense = dict(cfg.multitask_views.to_dict(), crop_size=CROP,
                 resize=resize)
    return (views_dataset(root, ann, star), views_dataset(root, ann, dense))


def _model(**semi):
    from mmseg.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(semi_model_cfg(crop=CROP, semi_train_cfg=semi))
    model.init_weights()
    return model


_batch = flagged_batch


def test_semi_multitask_weighs_background_by_its_teacher(star_ds):
    """Through the real FixMatch* views: Lu,det's classification loss is
    the student's on the strong views of the samples not labeled for
    detection (1 and 3 of 4), with the background weighted by the
    teacher's scores on the same samples' weak views (a teacher with
    confident boxes, so positives are present too)."""
    from mmssl.models.multitask import (background_scores,
                                        teacher_weighted_background)
    semi = dict(unsup_on='unlabeled', det_score_thr=0.0,
                det_positives_only=False, det_teacher_background=True)
    model = _model(**semi)
    model.eval()  # outputs independent of the batch composition
    with torch.no_grad():  # a teacher whose boxes pass its test threshold
        model.teacher.bbox_head.retina_cls.bias += 4.0
    flags = [(True, True), (True, False), (False, True), (False, False)]
    data = model.data_preprocessor(_batch(star_ds[0], flags), True)
    with torch.no_grad():
        losses = model.loss(data['inputs'], data['data_samples'])
        info = MessageHub.get_current_instance().get_info('mmssl.train_step')
        assert info['index'] == [1, 2, 3]  # unsup samples; 1, 3 get Lu,det
        weak_x, strong_x = data['inputs']['weak'], data['inputs']['strong']
        teacher, student = model.teacher, model.student
        head = student.bbox_head
        t_cls = teacher.forward_heads(weak_x[[1, 3]])['det'][0]
        levels = [r.reshape(-1) for r in background_scores(
            t_cls, head.num_classes, head.use_sigmoid_cls)]
        fwd = student.forward_heads(strong_x[[1, 3]])
        samples = []
        for k, i in ((0, 1), (2, 3)):  # rows of the unsup samples 1 and 3
            ds = DetDataSample(
                metainfo=data['data_samples']['strong'][i].metainfo)
            ds.gt_instances = InstanceData(
                bboxes=HorizontalBoxes(info['pseudo_boxes'][k]),
                labels=info['pseudo_box_labels'][k])
            samples.append(ds)
        assert sum(len(s.gt_instances) for s in samples) > 0
        with teacher_weighted_background(head, levels):
            want = student.task_loss('det', fwd, torch.arange(2), samples)
        plain = student.task_loss('det', fwd, torch.arange(2), samples)
    got = losses['unsup.det.loss_cls']
    for a, b, p in zip(got, want['loss_cls'], plain['loss_cls']):
        assert torch.allclose(a, b, rtol=1e-4, atol=1e-7)
    # the teacher's weights change the loss (not the plain one)
    assert not torch.allclose(sum(got), sum(plain['loss_cls']), rtol=1e-3)


def test_teacher_background_needs_background_and_one_geometry(star_ds):
    """Asking for the weighting with the positives-only loss (the default)
    is a config error; Dense FixMatch's views (two crops) are refused with
    a message naming the setting."""
    with pytest.raises(ValueError, match='det_positives_only=False'):
        _model(det_teacher_background=True)
    model = _model(det_positives_only=False, det_teacher_background=True)
    data = model.data_preprocessor(
        _batch(star_ds[1], [(True, True), (False, False)]), True)
    with pytest.raises(ValueError, match='one geometry'):
        model.loss(data['inputs'], data['data_samples'])


def test_levels_left_unused_are_an_error():
    """A block in which the head's loss covers fewer levels than the
    teacher's scores (one call for the first level only) ends with an
    error naming the count, not a silently partial weighting."""
    from mmssl.models.multitask import teacher_weighted_background
    net, _, _ = det_head_case()
    head = net.bbox_head
    levels = [torch.rand(8), torch.rand(2)]
    with pytest.raises(RuntimeError, match='1 of the teacher.s 2 levels'):
        with teacher_weighted_background(head, levels):
            head.loss_cls(torch.zeros(8, head.cls_out_channels),
                          torch.full((8, ), head.num_classes),
                          avg_factor=1.0)
    assert 'forward' not in vars(head.loss_cls)  # restored
