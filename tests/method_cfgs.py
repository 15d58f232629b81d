"""The shipped method configs, shrunk for CPU tests the way
``tests/configs/tiny_*.py`` shrink them: a tiny ResNetV1c-18 (random
init), 32x32 crops of the generated data, 2 labeled + 2 unlabeled per
batch, no dataloader workers, no validation. Shared by
``test_resume_exact.py`` and ``test_autocast.py``.

Each method is the real config file (its model, views, hooks, optimiser);
only sizes, data paths and the schedule length change.
"""
import os
import os.path as osp

from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CROP = (32, 32)
RESIZE_SCALE = (64, 32)  # (w, h) that RandomResize's ratio_range multiplies

_DEMO = 'configs/demo/'
CONFIGS = dict(
    # Dense FixMatch from random init (min-overlap crops: geometric matching)
    dense_fixmatch=_DEMO + 'dense-fixmatch_deeplabv3plus_r18-d8_1xb8-'
    'explicit-cpu-300i_synthcityscapes-8.py',
    # FixMatch* for segmentation: the paper-scale config (photometric strong
    # view, one shared crop)
    fixmatch_star='configs/fixmatch/fixmatch-star_deeplabv3plus_r50-d8_'
    '4xb4-explicit-89k_cityscapes-1-32.py',
    classmix=_DEMO + 'classmix_deeplabv3plus_r18-d8_1xb8-explicit-cpu-'
    'sup300i-100i_synthcityscapes-8.py',
    cutmix=_DEMO + 'cutmix-mt_deeplabv3plus_r18-d8_1xb8-explicit-cpu-'
    'sup300i-100i_synthcityscapes-8.py',
    cutout=_DEMO + 'cutout-mt_deeplabv3plus_r18-d8_1xb8-explicit-cpu-'
    'sup300i-100i_synthcityscapes-8.py',
    dars=_DEMO + 'dense-fixmatch-dars_deeplabv3plus_r18-d8_1xb8-explicit-'
    'same-cpu-sup300i-100i_synthcityscapes-8.py',
    multitask=_DEMO + 'dense-fixmatch_deeplabv3plus-retinanet_r18_1xb8-'
    'explicit-cpu-200i_synthcityscapes-mt-d-8-24.py',
)


def _views(node):
    """Shrink every ``SemiViews`` dict found in ``node`` (in place)."""
    if isinstance(node, dict):
        if node.get('type') == 'SemiViews':
            node['crop_size'] = CROP
            if node.get('resize') is not None:
                node['resize'] = dict(node['resize'], scale=RESIZE_SCALE)
        for v in node.values():
            _views(v)
    elif isinstance(node, (list, tuple)):
        for v in node:
            _views(v)


def _tiny_segmentor(seg: dict) -> None:
    seg['pretrained'] = None
    seg['init_cfg'] = None
    seg['backbone'].update(depth=18, base_channels=16, stem_channels=16,
                           init_cfg=None)
    seg['decode_head'].update(in_channels=128, c1_in_channels=16,
                              channels=16, c1_channels=8)
    if seg.get('auxiliary_head'):
        seg['auxiliary_head'].update(in_channels=64, channels=8)


def _tiny_multitask(net: dict) -> None:
    # as tests/configs/tiny_semi_multitask_probe.py
    net['init_cfg'] = None
    net['backbone'].update(base_channels=8, stem_channels=8, init_cfg=None)
    net['decode_head'].update(in_channels=64, c1_in_channels=8, channels=16,
                              c1_channels=8)
    net['neck'].update(in_channels=[8, 16, 32, 64], out_channels=16)
    net['bbox_head'].update(in_channels=16, feat_channels=16,
                            stacked_convs=1)


def method_config(method: str, data: dict, work_dir: str, max_iters=4,
                  checkpoint_interval=2, implicit=False) -> Config:
    """The config of ``method`` (a key of :data:`CONFIGS`) on the test data,
    2 labeled + 2 unlabeled per batch (``ExplicitSemiSampler``), or 4 drawn
    uniformly (``ImplicitSemiSampler``) with ``implicit``.

    ``data``: ``root``, ``labeled``, ``unlabeled`` (segmentation split
    files) for the segmentation methods; ``mt_root`` (generated data with
    multi-task annotations and ``d-2-4`` splits) for ``multitask``.
    """
    from mmssl.utils import replace_sync_bn
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS[method]))
    model = cfg.model.to_dict()
    model['data_preprocessor']['data_preprocessor']['size'] = CROP
    if method == 'multitask':
        _tiny_multitask(model['model'])
    else:
        _tiny_segmentor(model['segmentor'])
    replace_sync_bn(model)
    loader = cfg.train_dataloader.to_dict()
    sampler = (dict(type='ImplicitSemiSampler') if implicit else dict(
        type='ExplicitSemiSampler', batch_size=4, num_labeled=2))
    loader.update(batch_size=4, num_workers=0, persistent_workers=False,
                  sampler=sampler)
    parts = loader['dataset']
    if method == 'multitask':
        regime = 'd-2-4'
        for part in ('labeled', 'unlabeled'):
            parts[part].update(
                data_root=data['mt_root'],
                seg_split=f'splits/multitask/{regime}/split0/'
                'seg_labeled.txt',
                det_split=f'splits/multitask/{regime}/split0/'
                'det_labeled.txt')
    else:
        parts['labeled'].update(data_root=data['root'],
                                ann_file=data['labeled'])
        parts['unlabeled'].update(data_root=data['root'],
                                  ann_file=data['unlabeled'])
        flt = model.get('semi_train_cfg', {}).get('pseudo_label_filter')
        if flt is not None and isinstance(flt.get('target'), dict):
            # the labeled split the filter's target is counted from
            flt['target'].update(data_root=data['root'],
                                 ann_file=data['labeled'])
    _views(loader)
    cfg.model = model
    cfg.train_dataloader = loader
    # no validation / test: training state only
    for key in ('val_dataloader', 'val_cfg', 'val_evaluator',
                'test_dataloader', 'test_cfg', 'test_evaluator'):
        cfg[key] = None
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                         val_interval=max_iters + 1)
    cfg.param_scheduler = [
        dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=max_iters,
             by_epoch=False)
    ]
    optim = cfg.optim_wrapper.to_dict()
    optim.pop('_delete_', None)
    cfg.optim_wrapper = optim
    hooks = cfg.default_hooks.to_dict()
    hooks['checkpoint'] = dict(
        type='CheckpointHook', by_epoch=False, interval=checkpoint_interval,
        max_keep_ckpts=-1, save_last=True, save_best=None)
    hooks['logger'] = dict(type='LoggerHook', interval=1)
    hooks.pop('visualization', None)  # val panels only (no validation)
    cfg.default_hooks = hooks
    cfg.randomness = dict(seed=0, deterministic=False)
    env = cfg.get('env_cfg', {})
    cfg.env_cfg = dict(env, cudnn_benchmark=False,
                       dist_cfg=dict(backend='gloo'))
    cfg.launcher = 'none'
    cfg.resume = False
    cfg.load_from = None
    cfg.work_dir = str(work_dir)
    cfg.log_level = 'WARNING'
    return cfg


def semi_data(tiny_env: dict) -> dict:
    """The segmentation data of conftest's ``tiny_env``."""
    return dict(root=tiny_env['MMSSL_TEST_DATA_ROOT'],
                labeled=tiny_env['MMSSL_TEST_LABELED'],
                unlabeled=tiny_env['MMSSL_TEST_UNLABELED'])


def make_multitask_root(base: str) -> str:
    """Generated Cityscapes (6 train images, 128x64) with multi-task box
    annotations and ``d-2-4`` splits, as test_semi_multitask_dist.py."""
    from mmssl.datasets.converters import convert_cityscapes_boxes
    from mmssl.datasets.multitask_splits import write_multitask_splits
    from mmssl.datasets.synthetic import generate_dataset
    root = generate_dataset(osp.join(base, 'gen'), 'cityscapes', seed=2,
                            num_train=6, num_val=1, num_extra=0,
                            size=(128, 64), num_cities=1)['root']
    convert_cityscapes_boxes(root)
    write_multitask_splits(root, ['d-2-4'], num_splits=1,
                           out_dir=osp.join(root, 'splits', 'multitask'))
    return root + os.sep
