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


def test_mixed_images_are_pixels_of_the_views_in_rgb(tiny_env):
    """ClassMix demo config (no extra augmentations): every pixel of a mixed
    image is the pixel of its own strong view or of another sample's (the
    partner) at the same place, in RGB like the views (catches a swapped
    channel order), and the mixed targets are the matched labels of the
    same pixels."""
    import numpy as np
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmssl  # noqa: F401
    from mmssl.analysis import semi_views as sv
    from mmssl.engine.hooks.pseudo_label_vis_hook import _to_rgb
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs', 'demo', 'classmix_deeplabv3plus_r18-d8_1xb8-'
        'explicit-cpu-sup300i-100i_synthcityscapes-8.py'))
    root = tiny_env['MMSSL_TEST_DATA_ROOT']
    cfg.merge_from_dict({
        'train_dataloader.batch_size': 4,
        'train_dataloader.sampler.batch_size': 4,
        'train_dataloader.sampler.num_labeled': 2,
        'train_dataloader.dataset.labeled.data_root': root,
        'train_dataloader.dataset.labeled.ann_file':
        tiny_env['MMSSL_TEST_LABELED'],
        'train_dataloader.dataset.unlabeled.data_root': root,
        'train_dataloader.dataset.unlabeled.ann_file':
        tiny_env['MMSSL_TEST_UNLABELED'],
    })
    assert not cfg.model.semi_train_cfg.get('extra_augs')
    init_default_scope('mmseg')
    seed_everything(0)
    loader = sv.build_train_loader(cfg)
    model = sv.build_mixing_model(cfg)
    batch = next(iter(loader))
    mixed = sv.mix_batch(model, batch)
    assert sorted(mixed) == [0, 1, 2, 3]
    views = [_to_rgb(img).astype(np.int16) for img in batch['inputs'][
        'strong']]
    for k, m in mixed.items():
        img = m['mixed_img'].astype(np.int16)
        h, w = img.shape[:2]
        same = [np.abs(img - v[:h, :w]).max(-1) <= 1 for v in views
                if v.shape[:2] == (h, w)]
        own = np.abs(img - views[k][:h, :w]).max(-1) <= 1
        assert np.logical_or.reduce(same).mean() > 0.99, k
        labels = m['mixed_labels']
        assert labels.shape == (h, w)
        gt = batch['data_samples']['strong'][k].gt_sem_seg.data[0, :h, :w]
        if (gt < 254).any():
            # a labeled sample keeps its selected classes' pixels (an
            # unlabeled one has empty stand-in targets: all partner)
            assert own.mean() > 0 and (labels != 255).any(), k
        # where the image is the sample's own, labelled target pixels are
        # its own strong-view labels (ClassMix keeps its selected classes)
        keep = torch.from_numpy(own) & (labels != 255) & (gt < 254)
        if keep.any():
            assert (labels[keep] == gt[keep]).float().mean() > 0.95, k
