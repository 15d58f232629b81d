"""The detection side of MultiTaskSegDet is mmdet's detector: with the
segmentation head removed and the same weights, its losses, gradients and
predictions equal those of a stock mmdet ``RetinaNet`` built from the same
backbone / neck / head configs, on a batch from the real multi-task
pipeline (generated Cityscapes data, boxes from the instance maps)."""
import copy

import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from multitask_helpers import tiny_network

SEG_PREPROCESSOR = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(32, 32))


@pytest.fixture(scope='module')
def batch(tmp_path_factory):
    from mmseg.registry import DATASETS
    from mmssl.datasets.converters import convert_cityscapes_boxes
    from mmssl.datasets.synthetic import generate_dataset
    import mmssl  # noqa: F401
    init_default_scope('mmseg')
    root = generate_dataset(
        str(tmp_path_factory.mktemp('stock_det')), 'cityscapes', seed=4,
        num_train=4, num_val=1, num_extra=0, size=(64, 32),
        num_cities=1)['root']
    convert_cityscapes_boxes(root)
    ds = DATASETS.build(
        dict(
            type='CityscapesMultiTaskDataset',
            data_root=root,
            pipeline=[
                dict(type='LoadCheckedImageFromFile'),
                dict(type='LoadMultiTaskAnnotations', num_classes=19),
                dict(type='mmdet.RandomCrop', crop_size=(32, 32),
                     allow_negative_crop=True),
                dict(type='PackMultiTaskInputs'),
            ]))
    samples = [ds[i] for i in range(4)]
    assert sum(len(s['data_samples'].gt_instances) for s in samples) > 0
    return pseudo_collate(samples)


def _models():
    from mmdet.registry import MODELS as DET_MODELS
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    net = tiny_network(decode_head=None)
    ours = MODELS.build(
        dict(copy.deepcopy(net), data_preprocessor=SEG_PREPROCESSOR))
    ours.init_weights()
    head = copy.deepcopy(net['bbox_head'])
    head['type'] = 'RetinaHead'
    for k in ('loss_cls', 'loss_bbox'):
        head[k]['type'] = head[k]['type'].replace('mmdet.', '')
    init_default_scope('mmdet')
    stock = DET_MODELS.build(
        dict(
            type='RetinaNet',
            backbone=dict(net['backbone'], type='mmseg.ResNetV1c'),
            neck=dict(net['neck'], type='FPN'),
            bbox_head=head,
            train_cfg=ConfigDict(net['train_cfg']['det']),
            test_cfg=ConfigDict(net['test_cfg']['det'])))
    init_default_scope('mmseg')
    stock.load_state_dict(ours.state_dict(), strict=True)
    return ours, stock


def _total(v):
    return sum(v) if isinstance(v, (list, tuple)) else v


def test_losses_and_gradients_equal_mmdet_retinanet(batch):
    ours, stock = _models()
    data = ours.data_preprocessor(copy.deepcopy(batch), True)
    assert all(s.det_labeled for s in data['data_samples'])
    ours.train()
    stock.train()
    a = ours.loss(data['inputs'], data['data_samples'])
    b = stock.loss(data['inputs'], data['data_samples'])
    for key in ('loss_cls', 'loss_bbox'):
        x, y = _total(a[f'det.{key}']), _total(b[key])
        assert torch.allclose(x, y, rtol=1e-5, atol=1e-6), (key, x, y)
    sum(_total(v) for k, v in a.items() if 'loss' in k).backward()
    sum(_total(v) for k, v in b.items() if 'loss' in k).backward()
    grads = dict(stock.named_parameters())
    for name, p in ours.named_parameters():
        assert torch.allclose(p.grad, grads[name].grad, rtol=1e-4,
                              atol=1e-7), name


def test_predictions_equal_mmdet_retinanet(batch):
    ours, stock = _models()
    for m in (ours, stock):
        m.eval()
        # a random-init head scores ~0.01 everywhere: keep every box
        m.bbox_head.test_cfg['score_thr'] = 0.0
    data = ours.data_preprocessor(copy.deepcopy(batch), False)
    for s in data['data_samples']:  # no Resize in this pipeline; mmdet's
        # test pipelines always set it
        s.set_metainfo(dict(scale_factor=(1.0, 1.0)))
    with torch.no_grad():
        a = ours.predict(data['inputs'], copy.deepcopy(data['data_samples']))
        b = stock.predict(data['inputs'], copy.deepcopy(data['data_samples']))
    for x, y in zip(a, b):
        px, py = x.pred_instances, y.pred_instances
        assert len(px) == len(py) > 0
        assert torch.allclose(px.bboxes, py.bboxes, atol=1e-4)
        assert torch.allclose(px.scores, py.scores, atol=1e-6)
        assert torch.equal(px.labels, py.labels)


# Other one-stage heads of mmdet (the issue's "any mmdet one-stage head works
# in the multi-task model"): ATSS's assigner reads ground-truth boxes as
# tensors, as mmdet's DetDataPreprocessor (boxtype2tensor) hands them over.
OTHER_HEADS = dict(
    ATSS=dict(
        head=dict(
            type='ATSSHead', num_classes=8, in_channels=16, stacked_convs=1,
            feat_channels=16,
            norm_cfg=dict(type='GN', num_groups=4, requires_grad=True),
            anchor_generator=dict(
                type='AnchorGenerator', ratios=[1.0], octave_base_scale=2,
                scales_per_octave=1, strides=[8, 16, 32, 64, 128]),
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0],
                target_stds=[0.1, 0.1, 0.2, 0.2]),
            loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0,
                          alpha=0.25, loss_weight=1.0),
            loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
            loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True,
                                 loss_weight=1.0)),
        train_cfg=dict(assigner=dict(type='ATSSAssigner', topk=9),
                       allowed_border=-1, pos_weight=-1, debug=False)),
    FCOS=dict(
        head=dict(
            type='FCOSHead', num_classes=8, in_channels=16, stacked_convs=1,
            feat_channels=16, strides=[8, 16, 32, 64, 128],
            norm_cfg=dict(type='GN', num_groups=4, requires_grad=True),
            norm_on_bbox=True, centerness_on_reg=True, center_sampling=True,
            loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0,
                          alpha=0.25, loss_weight=1.0),
            loss_bbox=dict(type='GIoULoss', loss_weight=1.0),
            loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True,
                                 loss_weight=1.0)),
        train_cfg=dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5,
                                     neg_iou_thr=0.4, min_pos_iou=0,
                                     ignore_iof_thr=-1),
                       allowed_border=-1, pos_weight=-1, debug=False)))


@pytest.mark.parametrize('name', list(OTHER_HEADS))
def test_other_one_stage_heads_equal_mmdet(batch, name):
    from mmdet.models.utils import samplelist_boxtype2tensor
    from mmdet.registry import MODELS as DET_MODELS
    from mmseg.registry import MODELS
    spec = OTHER_HEADS[name]
    init_default_scope('mmseg')
    net = tiny_network(
        decode_head=None,
        bbox_head=dict(spec['head'],
                       type='mmdet.' + spec['head']['type']),
        train_cfg=dict(det=spec['train_cfg']))
    ours = MODELS.build(
        dict(copy.deepcopy(net), data_preprocessor=SEG_PREPROCESSOR))
    ours.init_weights()
    init_default_scope('mmdet')
    stock = DET_MODELS.build(
        dict(
            type=name,
            backbone=dict(net['backbone'], type='mmseg.ResNetV1c'),
            neck=dict(net['neck'], type='FPN'),
            bbox_head=copy.deepcopy(spec['head']),
            train_cfg=ConfigDict(spec['train_cfg']),
            test_cfg=ConfigDict(net['test_cfg']['det'])))
    init_default_scope('mmseg')
    stock.load_state_dict(ours.state_dict(), strict=True)
    data = ours.data_preprocessor(copy.deepcopy(batch), True)
    # what mmdet's DetDataPreprocessor hands its detectors
    stock_samples = copy.deepcopy(data['data_samples'])
    samplelist_boxtype2tensor(stock_samples)
    before = [s.gt_instances.bboxes for s in data['data_samples']]
    ours.train()
    stock.train()
    a = ours.loss(data['inputs'], data['data_samples'])
    b = stock.loss(data['inputs'], stock_samples)
    keys = [k for k in b if k.startswith('loss')]
    assert len(keys) == 3  # cls, bbox, centerness
    for key in keys:
        x, y = _total(a[f'det.{key}']), _total(b[key])
        assert torch.isfinite(x) and x > 0, (key, x)
        assert torch.allclose(x, y, rtol=1e-5, atol=1e-6), (key, x, y)
    # the model's own samples are left as they were (same box objects)
    assert all(s.gt_instances.bboxes is x
               for s, x in zip(data['data_samples'], before))
