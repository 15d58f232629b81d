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
