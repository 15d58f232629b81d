"""tools/analysis_tools/browse_semi_views.py through a real config (issue
19): the Dense FixMatch paper config's own views (rescale, overlapping
crops, flips, RandAugment geometric ops, Cutout) on the colour-oracle
dataset of the alignment test, both parts loaded with labels so every
strong view has its own ground truth. The weak view's labels matched into
the strong frame (what the overlay shows) must agree with the strong view's
labels on >= 95 % of the pixels both label, and the tool must write one
image per sample."""
import importlib.util
import os.path as osp
import re

import mmcv
import pytest

from colour_oracle import (DENSE_FIXMATCH, ROOT, seed_everything,  # noqa
                           write_colour_dataset)

TOOL = osp.join(ROOT, 'tools', 'analysis_tools', 'browse_semi_views.py')

USER_CFG = """
_base_ = '{config}'
crop_size = (128, 128)
resize = dict(_base_.random_resize, scale=(256, 128))
views = dict(_base_.semi_views_labeled, crop_size=crop_size, resize=resize)
part = dict(
    data_root='{root}',
    data_prefix=dict(img_path='leftImg8bit/train',
                     seg_map_path='gtFine/train'),
    pipeline=_base_.labeled_loading + [views])
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    sampler=dict(batch_size=4, num_labeled=2, seed=0),
    dataset=dict(labeled=dict(part, ann_file='labeled.txt'),
                 unlabeled=dict(part, ann_file='unlabeled.txt')))
"""


def load_tool():
    spec = importlib.util.spec_from_file_location('browse_semi_views', TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope='module')
def colour_dataset(tmp_path_factory):
    return write_colour_dataset(tmp_path_factory.mktemp('colour_browse'))


def test_browser_matches_weak_labels_into_strong_view(colour_dataset,
                                                     tmp_path, capsys):
    cfg = tmp_path / 'browse_cfg.py'
    cfg.write_text(USER_CFG.format(config=DENSE_FIXMATCH,
                                   root=colour_dataset))
    out = tmp_path / 'out'
    seed_everything(0)
    assert load_tool().main(
        [str(cfg), '--output-dir', str(out), '--num', '8']) == 0
    log = capsys.readouterr().out
    print(log)
    per_sample = re.findall(r'\[browse\] (\d+)/8 (\S+): agreement '
                            r'([\d.]+)% on (\d+) px', log)
    assert len(per_sample) == 8, log  # every sample has labels to compare
    for _, name, pct, px in per_sample:
        assert float(pct) >= 95.0, (name, pct)
        assert int(px) >= 0.25 * 128 * 128 * 0.5, (name, px)
    total = float(re.search(r'agree with the strong views\' own on '
                            r'([\d.]+)%', log).group(1))
    assert total >= 95.0
    # one image per sample, two rows of three panels (views; labels,
    # labels, matched overlay), each view upscaled 2x with a title bar
    pngs = sorted(out.glob('*.png'))
    assert [p.stem for p in pngs] == sorted(n for _, n, _, _ in per_sample)
    for p in pngs:
        img = mmcv.imread(str(p))
        assert img.shape == (2 * (256 + 18), 3 * 256, 3), (p, img.shape)


def test_match_sample_moves_labels_and_boxes_through_homographies():
    """The browser's matching on a hand-made pair: the strong view is a
    horizontal flip of a 6-pixel-wide image (x' = 6 - x)."""
    import numpy as np
    import torch
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData, PixelData

    from mmssl.analysis.semi_views import match_sample, render_sample
    flip = np.array([[-1., 0., 6.], [0., 1., 0.], [0., 0., 1.]])
    weak = DetDataSample(metainfo=dict(img_shape=(4, 6),
                                       homography_matrix=np.eye(3)))
    strong = DetDataSample(metainfo=dict(img_shape=(4, 6),
                                         homography_matrix=flip))
    labels = torch.arange(6).repeat(4, 1)  # class = column
    weak.gt_sem_seg = PixelData(data=labels[None])
    strong.gt_sem_seg = PixelData(data=labels.flip(-1)[None])
    weak.gt_instances = InstanceData(bboxes=torch.tensor([[1., 0., 3., 2.]]))
    strong.gt_instances = InstanceData(
        bboxes=torch.tensor([[3., 0., 5., 2.]]))
    m = match_sample(weak, strong)
    assert torch.equal(m['matched_labels'], labels.flip(-1))
    assert m['agreement'] == 1.0 and m['compared'] == 24
    assert torch.allclose(m['matched_boxes'],
                          torch.tensor([[3., 0., 5., 2.]]))
    img = torch.zeros(3, 4, 6, dtype=torch.uint8)
    panel = render_sample(
        dict(weak_img=img, strong_img=img, weak_ds=weak, strong_ds=strong),
        m, np.random.RandomState(0).randint(0, 255, (6, 3)).astype(np.uint8))
    assert panel.ndim == 3 and panel.shape[1] == 3 * 6 * (256 // 6)
