"""A colour-oracle teacher and a class-painted Cityscapes-layout dataset,
for tests of pseudo-label geometry through the real training path.

Every image is painted with one colour per class; the oracle's backbone
decodes colours into logits at full resolution and its decode head is a
real mmseg ``BaseDecodeHead``, so its ``predict`` resizes with whatever
metadata the segmentor passes. Used by test_pseudo_label_alignment.py and
test_mixing_alignment.py.
"""
import copy
import os.path as osp
import random

import mmcv
import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import mmssl  # noqa: F401  (registers the mmssl components)
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DENSE_FIXMATCH = osp.join(
    ROOT, 'configs', 'dense_fixmatch',
    'dense-fixmatch_deeplabv3plus_r50-d8_4xb4-explicit-89k_cityscapes-1-32.py')
FIXMATCH_STAR = osp.join(
    ROOT, 'configs', 'fixmatch',
    'fixmatch-star_deeplabv3plus_r50-d8_4xb4-explicit-89k_cityscapes-1-32.py')

NUM_CLASSES = 19
# one distinct RGB colour per class, on a 0/127/254 grid
PALETTE = np.array([(r, g, b) for r in (0, 127, 254) for g in (0, 127, 254)
                    for b in (0, 127, 254)][:NUM_CLASSES], dtype=np.float32)
IMG_HW = (128, 256)  # original images, (h, w)
CROP = (128, 128)


@MODELS.register_module(force=True)
class ColourOracleBackbone(nn.Module):
    """Decodes the class colour of every pixel of a normalised RGB batch:
    logits ``-||rgb - palette_c||²`` (argmax = nearest class colour)."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer('mean', torch.tensor(mean).view(1, 3, 1, 1))
        self.register_buffer('std', torch.tensor(std).view(1, 3, 1, 1))
        self.register_buffer('palette', torch.from_numpy(PALETTE))

    def forward(self, x):
        rgb = x * self.std + self.mean
        dist = ((rgb.unsqueeze(1) -
                 self.palette.view(1, -1, 3, 1, 1))**2).sum(2)
        return [-dist]


@MODELS.register_module(force=True)
class PassThroughHead(BaseDecodeHead):
    """A real mmseg decode head whose forward returns its input logits."""

    def forward(self, inputs):
        return inputs[0]


def oracle_teacher(preprocessor_cfg):
    return MODELS.build(
        dict(
            type='EncoderDecoder',
            backbone=dict(
                type='ColourOracleBackbone',
                mean=list(preprocessor_cfg['mean']),
                std=list(preprocessor_cfg['std'])),
            decode_head=dict(
                type='PassThroughHead',
                in_channels=NUM_CLASSES,
                channels=NUM_CLASSES,
                num_classes=NUM_CLASSES,
                in_index=0,
                align_corners=False,
                loss_decode=dict(type='CrossEntropyLoss')),
            test_cfg=dict(mode='whole')))


def write_colour_dataset(root):
    """Cityscapes-layout images painted by class: three large rectangles of
    random classes over a random background; labels in labelTrainIds."""
    rng = np.random.RandomState(0)
    stems = []
    for i in range(12):
        label = np.full(IMG_HW, rng.randint(NUM_CLASSES), np.uint8)
        for _ in range(3):
            h, w = rng.randint(40, 100), rng.randint(64, 200)
            y, x = rng.randint(0, IMG_HW[0] - h), rng.randint(0, IMG_HW[1] - w)
            label[y:y + h, x:x + w] = rng.randint(NUM_CLASSES)
        stem = f'city/city_{i:06d}_000019'
        rgb = PALETTE[label].astype(np.uint8)
        mmcv.imwrite(rgb[..., ::-1],
                     str(root / 'leftImg8bit' / 'train' /
                         f'{stem}_leftImg8bit.png'))
        mmcv.imwrite(label, str(root / 'gtFine' / 'train' /
                                f'{stem}_gtFine_labelTrainIds.png'))
        stems.append(stem)
    (root / 'labeled.txt').write_text('\n'.join(stems[:4]) + '\n')
    (root / 'unlabeled.txt').write_text('\n'.join(stems[4:]) + '\n')
    return str(root)


def seed_everything(seed):
    """The views' random ops draw from Python's, numpy's and torch's global
    generators (num_workers=0): seed all three so that a test sees the same
    batches whatever ran before it."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def build_loader_and_model(config, root, erase_cutout=False, strong=None,
                           model_update=None):
    """The config's train dataloader at test size and its model with the
    oracle teacher. Both parts are loaded with labels, so that every strong
    view has its own ground truth, unless ``erase_cutout``: then the strong
    views' Cutout erases its box from the label map (``erase_seg=True``)
    and the unlabeled part is loaded as unlabeled (``LoadEmptySegMap``).
    ``strong(cfg)`` may replace the strong branch; ``model_update`` is
    merged into the model config (e.g. another model type)."""
    cfg = Config.fromfile(config)
    init_default_scope('mmseg')
    views = copy.deepcopy(cfg.semi_views_labeled)
    views.update(
        crop_size=CROP,
        resize=dict(cfg.random_resize, scale=(IMG_HW[1], IMG_HW[0])))
    if strong is not None:
        views.strong = strong(cfg)
    if erase_cutout:
        cutouts = [t for t in views.strong if t.type == 'Cutout']
        assert len(cutouts) == 1
        cutouts[0].update(erase_seg=True, img_border_value=128)
    loader = copy.deepcopy(cfg.train_dataloader)
    loader.update(batch_size=4, num_workers=0, persistent_workers=False)
    loader.sampler.update(batch_size=4, num_labeled=2, seed=0)
    for part, ann in (('labeled', 'labeled.txt'),
                      ('unlabeled', 'unlabeled.txt')):
        loader.dataset[part].update(
            data_root=root,
            ann_file=ann,
            data_prefix=dict(
                img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
            pipeline=(cfg.unlabeled_loading if erase_cutout
                      and part == 'unlabeled' else cfg.labeled_loading) +
            [views])
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.data_preprocessor.data_preprocessor.size = CROP
    seg = model_cfg.segmentor
    seg.update(pretrained=None)
    seg.backbone.update(depth=18, init_cfg=None)
    seg.decode_head.update(in_channels=512, c1_in_channels=64, channels=32,
                           c1_channels=16)
    seg.auxiliary_head.update(in_channels=256, channels=16)
    model_cfg.semi_train_cfg.update(pseudo_threshold=0.0, unsup_on='all')
    for key, value in (model_update or {}).items():
        if isinstance(value, dict) and isinstance(model_cfg.get(key), dict):
            model_cfg[key].update(value)
        else:
            model_cfg[key] = value
    model = MODELS.build(model_cfg)
    model.teacher = oracle_teacher(
        model_cfg.data_preprocessor.data_preprocessor)
    return Runner.build_dataloader(loader, seed=0), model


def agreement(targets, strong_samples):
    """Per batch: fraction of compared pixels where the matched pseudo-label
    equals the strong view's ground truth, and how many were compared."""
    gt = torch.stack([ds.gt_sem_seg.data[0] for ds in strong_samples])
    both = (targets.labels != 255) & (gt != 255)
    return (targets.labels[both] == gt[both]).float().mean().item(), int(
        both.sum()), gt


