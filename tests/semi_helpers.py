"""Tiny models and batches shared by the SemiSegmentor tests."""
import numpy as np
import torch
from mmengine.structures import PixelData

from mmseg.structures import SegDataSample

NUM_CLASSES = 5


def tiny_segmentor_cfg(num_classes=NUM_CLASSES, aux=True):
    """DeepLabv3+ on a ResNetV1c-18, small enough for CPU unit tests."""
    norm_cfg = dict(type='BN', requires_grad=True)
    cfg = dict(
        type='EncoderDecoder',
        data_preprocessor=None,
        pretrained=None,
        backbone=dict(
            type='ResNetV1c',
            depth=18,
            num_stages=4,
            out_indices=(0, 1, 2, 3),
            dilations=(1, 1, 2, 4),
            strides=(1, 2, 1, 1),
            norm_cfg=norm_cfg,
            contract_dilation=True,
            base_channels=16,
            stem_channels=16),
        decode_head=dict(
            type='DepthwiseSeparableASPPHead',
            in_channels=128,
            in_index=3,
            channels=16,
            dilations=(1, 12, 24, 36),
            c1_in_channels=16,
            c1_channels=8,
            dropout_ratio=0.1,
            num_classes=num_classes,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', loss_weight=1.0,
                avg_non_ignore=True)),
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))
    if aux:
        cfg['auxiliary_head'] = dict(
            type='FCNHead',
            in_channels=64,
            in_index=2,
            channels=8,
            num_convs=1,
            concat_input=False,
            dropout_ratio=0.1,
            num_classes=num_classes,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', loss_weight=0.4,
                avg_non_ignore=True))
    return cfg


def semi_segmentor_cfg(**semi_train_cfg):
    return dict(
        type='SemiSegmentor',
        segmentor=tiny_segmentor_cfg(),
        data_preprocessor=dict(
            type='mmdet.MultiBranchDataPreprocessor',
            data_preprocessor=dict(
                type='mmseg.SegDataPreProcessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375],
                bgr_to_rgb=True,
                pad_val=0,
                seg_pad_val=255)),
        semi_train_cfg=semi_train_cfg)


def flip_h(w):
    return np.array([[-1, 0, w], [0, 1, 0], [0, 0, 1]], dtype=np.float32)


def make_sample(h, w, labeled, homography, seed=0, gt=None):
    rng = np.random.RandomState(seed)
    ds = SegDataSample(
        metainfo=dict(
            img_shape=(h, w),
            ori_shape=(h, w),
            pad_shape=(h, w),
            homography_matrix=homography,
            is_labeled=labeled))
    if gt is None:
        # unlabeled: LoadEmptySegMap's in-view value (no class, not ignored)
        gt = (rng.randint(0, NUM_CLASSES, (1, h, w)) if labeled else
              np.full((1, h, w), 254))
    ds.gt_sem_seg = PixelData(data=torch.as_tensor(gt).long())
    return ds


def make_batch(labeled_flags, h=32, w=32, seed=0):
    """A preprocessed two-view batch: strong view = horizontal flip of weak."""
    g = torch.Generator().manual_seed(seed)
    n = len(labeled_flags)
    weak = torch.randn(n, 3, h, w, generator=g)
    strong = torch.flip(weak, dims=[3])
    weak_ds = [
        make_sample(h, w, f, np.eye(3, dtype=np.float32), seed + i)
        for i, f in enumerate(labeled_flags)
    ]
    strong_ds = [
        make_sample(h, w, f, flip_h(w), seed + i)
        for i, f in enumerate(labeled_flags)
    ]
    return (dict(weak=weak, strong=strong),
            dict(weak=weak_ds, strong=strong_ds))
