"""Full-Cityscapes (table 4) and BDD100K (table 7) multi-task configs
through the real path, on generated data in the real on-disk layouts:
converter -> the config's dataloader (SemiDataset / ConcatDataset,
sampler) -> collate -> data preprocessor -> SemiMultiTask -> hooks, with a
tiny network and small crops. A probe hook records every batch; the
oracles are the files on disk (which folder an image comes from) and the
converters' own counts, computed independently here."""
import glob
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.registry import init_default_scope
from PIL import Image

from multitask_helpers import ROOT, tiny_network

MT = osp.join(ROOT, 'configs', 'semi_multitask')
NET = 'deeplabv3plus-retinanet_r50_4xb4'
CROP = (32, 32)


@pytest.fixture(scope='module')
def cs_full(tmp_path_factory):
    """4 train, 2 val, 3 train_extra images; a sequence folder with frames
    18, 19 (= the annotated train frame) and 20 of every train sample."""
    from mmssl.datasets.converters import (convert_cityscapes_boxes,
                                           convert_cityscapes_unlabeled)
    from mmssl.datasets.synthetic import generate_dataset
    root = generate_dataset(
        str(tmp_path_factory.mktemp('cs_full')), 'cityscapes', seed=3,
        num_train=4, num_val=2, num_extra=3, size=(64, 32),
        num_cities=1)['root']
    convert_cityscapes_boxes(root)
    train = sorted(glob.glob(osp.join(root, 'leftImg8bit/train/*/*.png')))
    for path in train:
        img = np.asarray(Image.open(path))
        rel = osp.relpath(path, osp.join(root, 'leftImg8bit/train'))
        for frame in (18, 19, 20):
            out = osp.join(root, 'leftImg8bit_sequence/train',
                           rel.replace('_000019_', f'_{frame:06d}_'))
            os.makedirs(osp.dirname(out), exist_ok=True)
            # neighbouring frames: the scene moved by 2 px per frame
            Image.fromarray(np.roll(img, (frame - 19) * 2, axis=1)).save(out)
    return root, convert_cityscapes_unlabeled(root)


def _images(path):
    import json
    with open(path) as f:
        return json.load(f)['images']


def _rel(root, folder):
    base = osp.join(root, folder)
    return {osp.relpath(p, base) for p in glob.glob(osp.join(base, '*/*.png'))}


def test_unlabeled_sets_list_images_labeled_for_no_task(cs_full):
    root, res = cs_full
    train = _rel(root, 'leftImg8bit/train')
    extra = _rel(root, 'leftImg8bit/train_extra')
    seq = _rel(root, 'leftImg8bit_sequence/train')
    assert len(train) == 4 and len(extra) == 3 and len(seq) == 12
    assert res['train_extra']['num_images'] == 3
    # the annotated frames (000019) are train images: excluded
    assert res['sequence']['excluded_train_frames'] == 4
    assert res['sequence']['num_images'] == 8
    for name, files in (('train_extra', extra), ('sequence', seq - train)):
        images = _images(res[name]['path'])
        assert {im['file_name'] for im in images} == files
        for im in images:
            assert im['det_labeled'] is False and 'seg_file' not in im
            assert (im['width'], im['height']) == (64, 32)
    seq_names = {im['file_name'] for im in _images(res['sequence']['path'])}
    assert not seq_names & train
    assert all('_000018_' in n or '_000020_' in n for n in seq_names)


def test_unlabeled_set_errors_name_the_folder(tmp_path):
    from mmssl.datasets.converters.cityscapes_unlabeled import unlabeled_set
    with pytest.raises(FileNotFoundError, match='leftImg8bit/train_extra'):
        unlabeled_set(str(tmp_path), 'train_extra')
    (tmp_path / 'leftImg8bit_sequence/train/a').mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match='annotated train frames'):
        unlabeled_set(str(tmp_path), 'sequence')
    with pytest.raises(ValueError, match="expected one of"):
        unlabeled_set(str(tmp_path), 'coarse')


class BatchProbe(Hook):
    """Records (img_path, seg_labeled, det_labeled) of every weak-view
    sample and the log variables of every training step."""

    def __init__(self):
        self.batches, self.logs = [], []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.batches.append([(s.img_path, s.seg_labeled, s.det_labeled)
                             for s in data_batch['data_samples']['weak']])

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.logs.append({k: float(v.detach()) if hasattr(v, 'detach')
                          else float(v) for k, v in outputs.items()})


def _shrink(node, root):
    """Small crops and scales, the generated data root, no workers."""
    if isinstance(node, dict):
        if 'data_root' in node:
            node['data_root'] = root
        if node.get('type') == 'SemiViews':
            node['crop_size'] = CROP
            node['resize'] = dict(node['resize'], scale=(64, 32))
        if 'num_workers' in node:
            node.update(num_workers=0, persistent_workers=False)
        for v in node.values():
            _shrink(v, root)
    elif isinstance(node, list):
        for v in node:
            _shrink(v, root)


def _train(config, root, work_dir, iters=2):
    """Train ``iters`` steps of ``config`` with a tiny network; returns the
    runner and the probe."""
    import mmssl  # noqa: F401
    from mmengine.runner import Runner
    init_default_scope('mmseg')
    cfg = Config.fromfile(osp.join(MT, config))
    d = cfg.to_dict()
    num_det = d['model']['model']['bbox_head']['num_classes']
    net = tiny_network()
    net['bbox_head']['num_classes'] = num_det
    d['model']['model'] = net
    d['model']['data_preprocessor']['data_preprocessor']['size'] = CROP
    _shrink(d['train_dataloader'], root)
    d.update(
        work_dir=str(work_dir),
        val_dataloader=None, val_cfg=None, val_evaluator=None,
        test_dataloader=None, test_cfg=None, test_evaluator=None,
        param_scheduler=[],
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=iters,
                       val_interval=iters + 1))
    d['default_hooks']['checkpoint'] = dict(
        type='CheckpointHook', interval=iters + 1, save_best=None)
    d['default_hooks']['logger'] = dict(type='LoggerHook', interval=1)
    d['default_hooks'].pop('visualization', None)
    runner = Runner.from_cfg(Config(d))
    probe = BatchProbe()
    runner.register_hook(probe)
    runner.train()
    return runner, probe


def _folder(root, path):
    rel = osp.relpath(path, root)
    for f in ('leftImg8bit/train_extra', 'leftImg8bit/train',
              'leftImg8bit_sequence/train'):
        if rel.startswith(f + '/'):
            return f
    raise AssertionError(path)


def test_table4_explicit_sequence_config_batches(cs_full, tmp_path):
    """Explicit 2 + 2: labeled = the full train set (both tasks), unlabeled
    = train_extra + sequence (without annotated frames), Lu on unlabeled
    samples only."""
    root, res = cs_full
    runner, probe = _train(
        f'fixmatch-star_{NET}-explicit-lu-unlabeled-150k_'
        'cityscapes-mt-full-extra-sequence.py', root, tmp_path)
    ds = runner.train_dataloader.dataset
    assert len(ds.labeled) == 4
    assert len(ds.unlabeled) == 3 + 8
    assert runner.model.unsup_on == 'unlabeled'
    assert len(probe.batches) == 2
    for batch in probe.batches:
        assert len(batch) == 4
        for path, seg, det in batch[:2]:
            assert _folder(root, path) == 'leftImg8bit/train'
            assert seg and det
        for path, seg, det in batch[2:]:
            folder = _folder(root, path)
            assert folder in ('leftImg8bit/train_extra',
                              'leftImg8bit_sequence/train')
            assert not seg and not det
            # never an annotated frame again
            assert folder != 'leftImg8bit_sequence/train' or (
                '_000019_' not in path)
    for log in probe.logs:
        assert np.isfinite(log['loss'])


def test_table4_implicit_extra_config_batches(cs_full, tmp_path):
    """Implicit: uniform over train + train_extra; each sample's task flags
    are those of its folder."""
    root, _ = cs_full
    runner, probe = _train(
        f'dense-fixmatch_{NET}-implicit-150k_cityscapes-mt-full-extra.py',
        root, tmp_path, iters=3)
    ds = runner.train_dataloader.dataset
    assert (len(ds.labeled), len(ds.unlabeled)) == (4, 3)
    assert runner.model.unsup_on == 'all'
    for batch in probe.batches:
        for path, seg, det in batch:
            labeled = _folder(root, path) == 'leftImg8bit/train'
            assert seg == det == labeled


def test_table4_train_only_config_applies_lu_to_labeled_images(
        cs_full, tmp_path):
    """No unlabeled set: every sample is a labeled train image, and the
    unsupervised losses are computed on them (Lu on all samples); with
    Lu on unlabeled samples only they would be zero."""
    root, _ = cs_full
    runner, probe = _train(
        f'dense-fixmatch_{NET}-150k_cityscapes-mt-full.py', root, tmp_path)
    for batch in probe.batches:
        assert len(batch) == 4
        for path, seg, det in batch:
            assert _folder(root, path) == 'leftImg8bit/train'
            assert seg and det
    for log in probe.logs:
        assert log['unsup.seg.loss_ce'] > 0


@pytest.fixture(scope='module')
def bdd_root(tmp_path_factory):
    from mmssl.datasets.converters import convert_bdd100k
    from mmssl.datasets.synthetic import generate_dataset
    root = generate_dataset(
        str(tmp_path_factory.mktemp('bdd_full')), 'bdd100k', size=(64, 36),
        num_train=10, num_val=5, num_extra=8, num_seg_val=3,
        num_seg_in_det_train=3, num_seg_in_det_val=2,
        num_det_unlabeled=2)['root']
    return root, convert_bdd100k(root)


def test_table7_explicit_config_oversamples_fully_labeled(bdd_root,
                                                          tmp_path):
    """BDD100K explicit 2 + 2: the first part holds exactly the images
    labeled for both tasks (counted from the merged JSON), the second all
    the others; the detection head has BDD100K's 10 classes."""
    import json
    root, summary = bdd_root
    with open(osp.join(root, 'multitask', 'train.json')) as f:
        images = json.load(f)['images']
    both = {im['file_name'] for im in images
            if im['det_labeled'] and 'seg_file' in im}
    assert both and len(both) < len(images)
    runner, probe = _train(
        f'dense-fixmatch_{NET}-explicit-300k_bdd100k-mt.py', root, tmp_path)
    ds = runner.train_dataloader.dataset
    assert len(ds.labeled) == len(both)
    assert len(ds.unlabeled) == len(images) - len(both)
    assert runner.model.student.bbox_head.num_classes == 10
    img_dir = osp.join(root, 'images')
    for batch in probe.batches:
        for path, seg, det in batch[:2]:
            assert osp.relpath(path, img_dir) in both and seg and det
        for path, seg, det in batch[2:]:
            assert osp.relpath(path, img_dir) not in both
            assert not (seg and det)
