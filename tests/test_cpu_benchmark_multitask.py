"""The multi-task arms of the CPU regime benchmark (issue 17): their configs
(one network, the regime's budget, the multi-task paper's settings), their
place in tools/benchmark_regime.py's plan, and what the runner reads from
their logs. Config parsing and log text, and one few-step training of the
EMA baseline (its checkpoint must hold the average)."""
import copy
import functools
import os.path as osp
import sys

import pytest
import torch
from mmengine import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(REPO, 'tools'))
import benchmark_regime as br  # noqa: E402
import regime_multitask as rm  # noqa: E402
from ema_helpers import assert_checkpoint_is_the_ema  # noqa: E402
from method_cfgs import make_multitask_root  # noqa: E402


@functools.lru_cache(maxsize=None)
def load(arm):  # read-only use: one parse per config
    return Config.fromfile(osp.join(REPO, rm.MT_ARMS[arm]))


def network(arm):
    cfg = load(arm)
    return cfg.model.model if cfg.model.type == 'SemiMultiTask' else cfg.model


def test_every_arm_has_the_stage1_network():
    ref = copy.deepcopy(network('mt_baseline').to_dict())
    ref.pop('data_preprocessor')
    ref['backbone'].pop('init_cfg')
    assert ref['bbox_head']['type'] == 'mmdet.ATSSHead'
    assert ref['train_cfg']['det']['assigner']['type'] == 'ATSSAssigner'
    assert ref['backbone']['depth'] == 18
    # output stride 32 for the FPN
    assert tuple(ref['backbone']['strides']) == (1, 2, 2, 2)
    for arm in ('mt_dense_fixmatch', 'mt_fixmatch_star'):
        net = copy.deepcopy(network(arm).to_dict())
        net.pop('data_preprocessor', None)
        assert net['backbone'].pop('init_cfg') is None
        # student and EMA teacher start from the stage-1 checkpoint
        assert net.pop('init_cfg')['type'] == 'Pretrained'
        assert net == ref, arm
    sup = load('mt_baseline')
    assert sup.model.backbone.init_cfg == dict(
        type='Pretrained', checkpoint=sup.cpu_pretrained)
    # what the runner checks stage 1's age against
    assert br.PRETRAINED == sup.cpu_pretrained
    # the detection-labeled count the runner's regime names use
    assert rm.NUM_DET == sup.cpu_mt_num_det
    assert f'-{rm.NUM_DET}/' in sup.cpu_mt_split


def test_ema_baseline_is_the_baseline_with_the_teachers_average():
    """The multi-task EMA baseline is the multi-task supervised baseline
    plus mmengine's EMAHook with the semi-supervised arms' teacher average
    (decay, BN statistics averaged too), nothing else."""
    ema, sup = load('mt_baseline_ema'), load('mt_baseline')
    hook, = ema.custom_hooks
    teacher, = [h for h in load('mt_dense_fixmatch').custom_hooks
                if h.type == 'EMATeacherHook']
    assert hook.type == 'EMAHook' and hook.update_buffers
    assert teacher.update_buffers
    assert hook.momentum == pytest.approx(1 - teacher.decay)
    assert 'custom_hooks' not in sup
    for key in ('model', 'train_dataloader', 'optim_wrapper',
                'param_scheduler', 'train_cfg', 'default_hooks',
                'val_dataloader', 'val_evaluator', 'randomness'):
        assert ema.get(key) == sup.get(key), key
    # the report compares the semi-supervised arms with it when it ran
    assert br.mt_reference(['mt_baseline', 'mt_baseline_ema',
                            'mt_dense_fixmatch']) == 'mt_baseline_ema'
    assert br.mt_reference(['mt_baseline', 'mt_dense_fixmatch']) == \
        'mt_baseline'


def test_ema_baseline_checkpoint_holds_the_average(tmp_path):
    """What tools/test.py evaluates for the multi-task EMA baseline (the
    checkpoint's state_dict) is the EMA of the whole multi-task network's
    weights and BN statistics (backbone, both heads, FPN), trained here on
    generated Cityscapes with derived boxes through the config's own
    multi-task loading and packing."""
    cfg = copy.deepcopy(load('mt_baseline_ema'))
    cfg.model.backbone.init_cfg = None
    cfg.train_dataloader.dataset.update(
        data_root=make_multitask_root(str(tmp_path / 'data')),
        seg_split='splits/multitask/d-2-4/split0/seg_labeled.txt',
        det_split='splits/multitask/d-2-4/split0/det_labeled.txt')
    assert_checkpoint_is_the_ema(cfg, tmp_path / 'run')


def test_the_regimes_budget_and_the_papers_settings():
    sup = load('mt_baseline')
    assert sup.train_cfg.max_iters == sup.cpu_mt_stage1_iters == 4500
    assert br.parse_args([]).mt_stage1_iters == 4500
    assert sup.train_dataloader.batch_size == 4
    assert sup.train_dataloader.dataset.subset == 'any'
    for arm in ('mt_dense_fixmatch', 'mt_fixmatch_star'):
        cfg = load(arm)
        assert cfg.train_cfg.max_iters == 150
        assert cfg.optim_wrapper.optimizer == sup.optim_wrapper.optimizer
        assert cfg.param_scheduler == [dict(sup.param_scheduler[0], end=150)]
        sampler = cfg.train_dataloader.sampler
        assert (sampler.batch_size, sampler.num_labeled) == (8, 4)
        ds = cfg.train_dataloader.dataset
        assert (ds.labeled.subset, ds.unlabeled.subset) == ('any', 'none')
        # table 10: no segmentation threshold, boxes >= 0.5, positives-only
        # detection loss, Lu on all samples
        assert cfg.model.semi_train_cfg == dict(
            unsup_on='all', unsup_weight=1.0,
            unsup_task_weights=dict(seg=1.0, det=1.0),
            seg_pseudo_threshold=0.0, det_score_thr=0.5,
            det_min_box_size=2.0, det_positives_only=True)
        assert cfg.model.semi_test_cfg == dict(predict_on='teacher')
        hooks = {h.type: h for h in cfg.custom_hooks}
        assert hooks['EMATeacherHook'].decay == 0.99
        assert hooks['UnsupWeightHook'].warmup_ratio == 0.05
    dense = load('mt_dense_fixmatch').train_dataloader.dataset.labeled
    star = load('mt_fixmatch_star').train_dataloader.dataset.labeled
    # Dense FixMatch: overlapping crops at their own scales; FixMatch*: one
    # shared scale and crop
    d, s = dense.pipeline[-1], star.pipeline[-1]
    assert (d.crop_relation, d.min_overlap, d.share_scale) == (
        'overlap', 0.5, False)
    assert (s.crop_relation, s.share_scale) == ('same', True)
    assert d.crop_size == s.crop_size == (128, 128)


def test_soft_teacher_arm_is_fixmatch_star_with_weighted_background():
    """The peers' arm: the FixMatch* multi-task arm with one change, the
    unsupervised detection loss's background kept and weighted by the
    teacher (Soft Teacher); opt-in, not one of the issue's arms."""
    soft = copy.deepcopy(load('mt_fixmatch_star_soft_bg').to_dict())
    star = copy.deepcopy(load('mt_fixmatch_star').to_dict())
    cfg = soft['model'].pop('semi_train_cfg')
    assert cfg == dict(star['model'].pop('semi_train_cfg'),
                       det_positives_only=False,
                       det_teacher_background=True)
    for key in set(soft) | set(star):
        assert soft.get(key) == star.get(key), key
    assert 'mt_fixmatch_star_soft_bg' in br.PEERS
    assert 'mt_fixmatch_star_soft_bg' not in br.parse_args([]).arms
    # priced in the overall ETA as a multi-task semi-supervised step
    args = br.parse_args(['--data-seeds', '0', '--splits', '1-8', '--arms',
                          'mt_fixmatch_star_soft_bg', '--work-dir', 'wd',
                          '--no-all-labels', '--pretrained', 'bb.pth'])
    job, = [j for j in br.plan(args) if j.arm == 'mt_fixmatch_star_soft_bg']
    assert job.semi and job.kind == 'mt_semi'


def test_the_d16_pretrained_backbone_loads_into_the_stride32_one():
    """The CPU pretraining stand-in trains a dilated ResNet-18 (output
    stride 16); dilation is not a weight, so its weights load strictly."""
    import mmssl  # noqa: F401
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    d16 = dict(load('mt_baseline').cpu_segmentor.backbone)
    mt = copy.deepcopy(network('mt_baseline').backbone.to_dict())
    mt.pop('init_cfg')
    src = MODELS.build(dict(mt, strides=d16['strides'],
                            dilations=d16['dilations']))
    dst = MODELS.build(mt)
    dst.load_state_dict(src.state_dict(), strict=True)
    for k, v in src.state_dict().items():
        assert torch.equal(dst.state_dict()[k], v)


@pytest.mark.parametrize('arm', list(rm.MT_ARMS))
def test_configs_build(arm):
    import mmssl  # noqa: F401
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    cfg = copy.deepcopy(load(arm).model)
    if cfg.type == 'SemiMultiTask':
        cfg.model.init_cfg = None
    else:
        cfg.backbone.init_cfg = None
    model = MODELS.build(cfg)
    assert type(model).__name__ == cfg.type


def test_plan_runs_stage1_then_each_arm_from_it():
    args = br.parse_args(['--data-seeds', '2', '--splits', '1-8', '1-4',
                          '--arms', 'baseline', *rm.MT_ARMS,
                          '--stage1-iters', '60', '--iters', '15',
                          '--mt-stage1-iters', '80',
                          '--work-dir', 'wd', '--no-all-labels',
                          '--pretrained', 'bb.pth'])
    jobs = [j for j in br.plan(args) if j.task == 'multitask']
    assert [j.key for j in jobs] == [
        f'data2 {s} {a}' for s in ('1-8', '1-4')
        for a in ['mt_stage1', *rm.MT_ARMS]]
    root = 'data/cpu_benchmark/data2/cityscapes/'
    for j in jobs:
        o = {x.split('=', 1)[0]: x.split('=', 1)[1] for x in j.opts}
        regime = dict(zip(('1-8', '1-4'), ('d-12-48', 'd-24-48')))[j.split]
        part = ('train_dataloader.dataset.labeled' if j.semi
                else 'train_dataloader.dataset')
        assert o[part + '.seg_split'] == \
            f'splits/multitask/{regime}/split0/seg_labeled.txt'
        assert o[part + '.det_split'] == \
            f'splits/multitask/{regime}/split0/det_labeled.txt'
        assert o[part + '.data_root'] == root
        assert o['test_evaluator.det_metric.ann_file'] == \
            root + 'annotations/multitask_gtFine_val.json'
        if j.arm == 'mt_stage1':
            assert j.iters == 80 and j.needs is None
            assert o['model.backbone.init_cfg.checkpoint'] == 'bb.pth'
            continue
        assert j.iters == 15 and j.needs == f'data2 {j.split} mt_stage1'
        key = 'model.model.init_cfg' if j.semi else 'model.init_cfg'
        assert o[key + '.checkpoint'] == \
            f'wd/mt_stage1_80i_data2_{j.split}/iter_80.pth'
        assert j.semi == (j.arm not in ('mt_baseline', 'mt_baseline_ema'))
        if not j.semi:  # every weight from stage 1, not from bb.pth
            assert o['model.backbone.init_cfg'] == 'None'
    assert rm.mt_regime('1-8', 96) == 'd-12-48'


LOG = """\
12/03 03:16:45 - mmengine - INFO - Iter(train) [ 25/150]  lr: 3.9e-03  \
loss: 2.0  seg.loss_ce: 1.0  pseudo_boxes_per_img: 0.5000  det.loss_cls: 0.3
12/03 03:16:55 - mmengine - INFO - Iter(train) [ 50/150]  lr: 3.0e-03  \
loss: 2.0  seg.loss_ce: 1.0  pseudo_boxes_per_img: 1.2500  det.loss_cls: 0.3
"""
TEST_LOG = """\
+---------------+-------+-------+
|     Class     |  IoU  |  Acc  |
+---------------+-------+-------+
|      road     | 88.55 | 92.95 |
|    sidewalk   |  0.0  |  0.0  |
+---------------+-------+-------+
12/03 03:22:07 - mmengine - INFO - Iter(test) [32/32]    multitask/aAcc: \
84.5400  multitask/mIoU: 44.2750  multitask/mAcc: 46.4750  \
multitask/bbox_mAP: 0.1230  multitask/bbox_mAP_50: 0.3410  \
multitask/gmean: 7.3000  data_time: 0.0052  time: 0.0969
"""


def test_log_readers(tmp_path, monkeypatch):
    monkeypatch.setattr(rm, 'ROOT', str(tmp_path))
    (tmp_path / 'run.train.log').write_text(LOG)
    assert rm.pseudo_boxes_per_img('run.train.log') == pytest.approx(0.875)
    assert rm.pseudo_boxes_per_img('missing.log') != \
        rm.pseudo_boxes_per_img('missing.log')  # nan
    rec = rm.mt_test_record(TEST_LOG)
    assert rec['mIoU'] == 44.275 and rec['aAcc'] == 84.54
    assert rec['bbox_mAP'] == pytest.approx(12.3)
    assert rec['bbox_mAP_50'] == pytest.approx(34.1)
    assert rec['per_class_iou'] == dict(road=88.55, sidewalk=0.0)


def test_boxes_are_derived_again_for_regenerated_data(tmp_path):
    import os
    ann = tmp_path / 'annotations'
    ann.mkdir()
    stamp = tmp_path / '.mmssl_synthetic.json'
    stamp.write_text('{}')
    os.utime(stamp, (100, 100))
    assert rm.boxes_stale(str(tmp_path))  # none yet
    for s in ('train', 'val'):
        (ann / f'multitask_gtFine_{s}.json').write_text('{}')
        os.utime(ann / f'multitask_gtFine_{s}.json', (200, 200))
    assert not rm.boxes_stale(str(tmp_path))
    os.utime(stamp, (300, 300))  # the data were generated again
    assert rm.boxes_stale(str(tmp_path))
    os.utime(ann / 'multitask_gtFine_train.json', (400, 400))
    assert rm.boxes_stale(str(tmp_path))  # val still old


def test_soft_teacher_arm_trains_through_its_config(tmp_path, monkeypatch):
    """The arm's own config (its FixMatch* views at 128x128 through the
    dataloader, the explicit sampler, collate, preprocessor, model and
    hooks) trains 2 steps on generated data: every step weighs the
    unsupervised detection loss by the EMA teacher's background scores, one
    per anchor of every sample's strong view on every FPN level (the
    geometry check accepts the config's views), each in [0, 1], and the
    loss it logs is finite."""
    import math

    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    import mmssl  # noqa: F401
    from mmssl.models.multitask import semi_multitask as sm
    seen = []
    original = sm.teacher_weighted_background

    def spy(head, levels):
        seen.append((head, [r.clone() for r in levels]))
        return original(head, levels)

    monkeypatch.setattr(sm, 'teacher_weighted_background', spy)
    cfg = copy.deepcopy(load('mt_fixmatch_star_soft_bg'))
    cfg.model.model.init_cfg = None
    root = make_multitask_root(str(tmp_path / 'data'))
    for part in ('labeled', 'unlabeled'):
        cfg.train_dataloader.dataset[part].update(
            data_root=root,
            seg_split='splits/multitask/d-2-4/split0/seg_labeled.txt',
            det_split='splits/multitask/d-2-4/split0/det_labeled.txt')
    cfg.train_dataloader.update(num_workers=0, batch_size=4)
    cfg.train_dataloader.sampler.update(batch_size=4, num_labeled=2)
    cfg.work_dir = str(tmp_path / 'run')
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2,
                         val_interval=100)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=100)
    for k in ('val', 'test'):
        cfg[f'{k}_dataloader'] = cfg[f'{k}_cfg'] = None
        cfg[f'{k}_evaluator'] = None
    logged = []

    class Record(Hook):
        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            logged.append(outputs)

    runner = Runner.from_cfg(cfg)
    runner.register_hook(Record(), 'LOWEST')
    runner.train()
    assert len(seen) == len(logged) == 2
    for head, levels in seen:
        # unsup_on='all': every one of the 4 samples gets Lu,det
        want = [4 * (128 // s[0]) * (128 // s[1]) * head.num_base_priors
                for s in head.prior_generator.strides]
        assert [r.numel() for r in levels] == want
        assert all(float(r.min()) >= 0 and float(r.max()) <= 1
                   for r in levels)
    for out in logged:
        assert math.isfinite(float(out['unsup.det.loss_cls']))
