"""The CPU benchmark's configs (configs/cpu_benchmark/, issue 17): they
load, build, share one CPU model and one stage-2 budget, and keep the
papers' settings (a config is a claim about a paper)."""
import copy
import functools
import glob
import os.path as osp
import sys

import pytest
from mmengine import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DIR = osp.join(REPO, 'configs', 'cpu_benchmark')
sys.path.insert(0, osp.join(REPO, 'tools'))
import benchmark_regime as br  # noqa: E402
import pretrain_backbone as pb  # noqa: E402
from ema_helpers import assert_checkpoint_is_the_ema  # noqa: E402

CONFIGS = sorted(osp.basename(p) for p in glob.glob(osp.join(DIR, '*.py')))
# the multi-task configs (-mt-): tests/test_cpu_benchmark_multitask.py
SEG_CONFIGS = [c for c in CONFIGS if '-mt-' not in c]
STAGE2 = [c for c in SEG_CONFIGS if 'stage2' in c]


@functools.lru_cache(maxsize=None)
def load(name):  # read-only use: one parse per config
    return Config.fromfile(osp.join(DIR, name))


def segmentor_cfg(cfg):
    return cfg.model.get('segmentor') or cfg.model


def test_every_config_is_used_by_the_tools():
    used = {osp.basename(c) for c in br.ARMS.values()}
    used |= {osp.basename(br.STAGE1), osp.basename(pb.CONFIG)}
    assert used == set(CONFIGS)


@pytest.mark.parametrize('name', SEG_CONFIGS)
def test_loads_builds_and_says_what_it_is(name):
    with open(osp.join(DIR, name)) as f:
        assert f.readline().startswith('#')
    cfg = load(name)
    seg = segmentor_cfg(cfg)
    assert seg.backbone.depth == 18
    assert tuple(seg.backbone.strides) == (1, 2, 2, 1)
    assert tuple(seg.backbone.dilations) == (1, 1, 1, 2)
    assert seg.decode_head.channels == 64
    init_default_scope('mmseg')
    from mmseg.registry import MODELS
    import mmssl  # noqa: F401
    # a copy: mmseg's EncoderDecoder writes `pretrained` into the backbone
    # dict it is given, and the parsed configs are shared (lru_cache)
    model = MODELS.build(copy.deepcopy(cfg.model))
    assert model is not None


def test_pretraining_learns_categories_with_the_benchmark_backbone():
    pre = load(osp.basename(pb.CONFIG))
    sup = load(osp.basename(br.STAGE1))
    assert pre.model.decode_head.num_classes == 7
    assert any(t.get('type') == 'RemapLabels'
               for t in pre.train_dataloader.dataset.pipeline)
    assert pre.model.backbone == sup.model.backbone
    # the benchmark loads the pretraining's backbone
    assert sup.model.pretrained == pb.OUT
    # never the benchmark's generator seeds
    assert pb.DATA['seed'] >= 1000
    assert pb.DATA['out'] not in sup.train_dataloader.dataset.data_root


def test_stage2_arms_share_budget_start_and_labeled_batch():
    sup = load(osp.basename(br.STAGE1))
    assert sup.train_dataloader.batch_size == 4
    offline = []  # the DARS rounds: a plain segmentor from load_from
    for name in STAGE2:
        cfg = load(name)
        assert cfg.train_cfg.max_iters == cfg.cpu_stage2_iters == 150
        assert cfg.optim_wrapper.optimizer == sup.optim_wrapper.optimizer
        assert cfg.param_scheduler == [
            dict(sup.param_scheduler[0], end=150)]
        sampler = cfg.train_dataloader.sampler
        assert (sampler.batch_size, sampler.num_labeled) == (8, 4)
        ds = cfg.train_dataloader.dataset
        assert ds.labeled.ann_file == cfg.cpu_split + '/labeled.txt'
        assert ds.unlabeled.ann_file == cfg.cpu_split + '/unlabeled.txt'
        if 'segmentor' not in cfg.model:
            offline.append(name)
            continue
        seg = cfg.model.segmentor
        assert seg.pretrained is None
        assert seg.init_cfg == dict(type='Pretrained',
                                    checkpoint=cfg.cpu_stage1_checkpoint)
        ema = [h for h in cfg.custom_hooks
               if h.type in ('EMATeacherHook', 'EMAHook')]
        if cfg.model.semi_train_cfg.get('teacher') == 'student':
            # UniMatch labels itself: its weights' EMA is only evaluated
            assert ema == [cfg.cpu_ema_eval_hook]
        else:
            assert ema == [dict(type='EMATeacherHook', decay=0.99)]
    assert offline == [osp.basename(br.DARS_CONFIG)]


def arm(name):
    return load(osp.basename(br.ARMS[name]))


def test_papers_settings():
    df = arm('dense_fixmatch').model.semi_train_cfg
    assert (df.pseudo_threshold, df.unsup_on, df.unsup_weight) == (
        0.5, 'unlabeled', 1.0)
    hooks = {h.type: h for h in arm('dense_fixmatch').custom_hooks}
    assert hooks['UnsupWeightHook'].warmup_ratio == 0.25  # 60 / 240 epochs
    views = arm('dense_fixmatch').train_dataloader.dataset.unlabeled
    assert views.pipeline[-1].crop_relation == 'overlap'
    fm = arm('fixmatch_star').train_dataloader.dataset.unlabeled.pipeline[-1]
    assert (fm.crop_relation, fm.share_scale) == ('same', True)
    geometric = ('Shear', 'Translate', 'Rotate', 'Flip')
    ops = [op[0]['type'] for op in fm.strong[0].aug_space]
    assert not [o for o in ops if o.endswith(geometric)]
    assert arm('fixmatch_star').model.semi_train_cfg.pseudo_threshold == 0.5
    cm = arm('classmix').model.semi_train_cfg
    assert (cm.mask_generator.type, cm.confidence_threshold) == (
        'ClassMixMaskGenerator', 0.968)
    cut = arm('cutmix').model.semi_train_cfg
    assert (cut.mask_generator.type, cut.mask_generator.area_ratio,
            cut.confidence_threshold) == ('CutMixMaskGenerator', 0.5, 0.97)
    out = arm('cutout').model.semi_train_cfg
    assert (out.mask_generator.type, tuple(out.mask_generator.area_ratio),
            out.confidence_threshold) == ('CutoutMaskGenerator', (0.0, 1.0),
                                          0.97)
    dars = arm('dense_fixmatch_dars').model.semi_train_cfg
    assert dars.pseudo_threshold == 0.0
    assert (dars.pseudo_label_filter.mode,
            dars.pseudo_label_filter.alpha) == ('DARS', 0.5)


# DARS table 6 (1/8 split, crop 361; configs/_base_/dars/pspnet_cityscapes.py
# and tests/test_dars_recipe.py): labeling ratio and scale widening per round
DARS_TABLE6 = [dict(alpha=0.2, beta_min=0.0, beta_max=0.0),
               dict(alpha=0.5, beta_min=0.2, beta_max=0.5)]
DARS_DEMO = osp.join(REPO, 'configs', 'dars', 'dars_deeplabv3plus_r18-d8_'
                     '1xb8-explicit-cpu-100i_synthcityscapes-8.py')


def test_dars_rounds_config_is_the_regimes():
    cfg = load(osp.basename(br.DARS_CONFIG))
    sup = load(osp.basename(br.STAGE1))
    # round 0 is the regime's stage-1 config
    r0 = osp.normpath(osp.join(DIR, cfg.dars.round0_config))
    assert r0 == osp.join(REPO, br.STAGE1)
    # the stage-1 model, as a self-training segmentor (eq. 2) whose weights
    # come from round k-1, not from the pretrained backbone
    model = cfg.model.to_dict()
    ref = sup.model.to_dict()
    assert model.pop('type') == 'SelfTrainingEncoderDecoder'
    assert ref.pop('type') == 'EncoderDecoder'
    assert model.pop('pretrained') is None
    ref.pop('pretrained')
    ref.pop('_scope_', None)
    assert model == ref
    # optimiser, per-round steps, schedule, batch 4 + 4 (also checked with
    # the other stage-2 arms above)
    assert cfg.optim_wrapper == sup.optim_wrapper
    assert cfg.train_cfg.max_iters == cfg.cpu_stage2_iters == 150
    assert cfg.default_hooks.checkpoint.interval == 150
    sampler = cfg.train_dataloader.sampler
    assert (sampler.type, sampler.batch_size, sampler.num_labeled) == (
        'ExplicitSemiSampler', 8, 4)
    # data of the regime, for the rounds and the pseudo-labeling
    ds = cfg.train_dataloader.dataset
    for part in (ds.labeled, ds.unlabeled, cfg.pseudo_label_cfg.labeled,
                 cfg.pseudo_label_cfg.unlabeled):
        assert part.data_root == cfg.cpu_data_root
    assert cfg.pseudo_label_cfg.labeled.ann_file == \
        cfg.cpu_split + '/labeled.txt'
    assert cfg.pseudo_label_cfg.unlabeled.ann_file == \
        cfg.cpu_split + '/unlabeled.txt'
    assert ds.unlabeled.pipeline[-1].type == 'MarkPseudoLabeled'
    crops = [t.crop_size for t in ds.labeled.pipeline if 'crop_size' in t]
    assert crops == [cfg.cpu_crop_size]
    # evaluated as every arm (the stage-1 test set, pipeline, whole image)
    assert cfg.test_dataloader == sup.test_dataloader
    assert cfg.model.test_cfg == sup.model.test_cfg


def test_dars_rounds_keep_table6_and_the_regimes_schedule(tmp_path):
    cfg = load(osp.basename(br.DARS_CONFIG))
    demo = Config.fromfile(DARS_DEMO)
    assert [dict(r) for r in cfg.dars.rounds] == DARS_TABLE6
    assert cfg.dars.rounds == demo.dars.rounds
    assert cfg.pseudo_label_cfg.policy.type == 'DARS'
    assert cfg.pseudo_label_cfg.flip is True  # authors' flip-averaged logits
    # the base scale range is the regime's (stage 1's random resize)
    sup = load(osp.basename(br.STAGE1))
    resize = [t for t in sup.train_dataloader.dataset.pipeline
              if t.type == 'RandomResize']
    assert tuple(cfg.dars.scale_range) == tuple(resize[0].ratio_range)
    # every round: the baseline arm's lr and schedule from a fresh AdamW
    # state (not the authors' continued poly / resumed optimizer)
    assert (cfg.dars.continue_poly, cfg.dars.resume_optimizer) == (
        False, False)
    sys.path.insert(0, osp.join(REPO, 'tools'))
    import dars_rounds
    path = dars_rounds.round_config(
        Config(copy.deepcopy(cfg.to_dict()), filename=cfg.filename), 2,
        dict(DARS_TABLE6[1]), 'prev/iter_150.pth', 'labels', str(tmp_path))
    r2 = Config.fromfile(path)
    assert r2.optim_wrapper.optimizer.lr == sup.optim_wrapper.optimizer.lr
    assert r2.param_scheduler == cfg.param_scheduler
    assert r2.load_from == 'prev/iter_150.pth'
    assert not [h for h in r2.get('custom_hooks') or []
                if h.type == 'LoadOptimizerStateHook']
    resize = [t for t in r2.train_dataloader.dataset.unlabeled.pipeline
              if t.type == 'RandomResize']
    assert tuple(resize[0].ratio_range) == pytest.approx((0.4, 3.0))


def test_geometric_ablation_is_dense_fixmatch_without_photometric_ops():
    """The ablation arm differs from the Dense FixMatch arm only in the
    strong view's RandAugment operations: the geometric ones, none of the
    photometric ones, in the same order and number per view."""
    abl = load(osp.basename(br.ARMS['dense_fixmatch_geometric']))
    df = load(osp.basename(br.ARMS['dense_fixmatch']))
    photometric = {op[0]['type'] for op in df.photometric_ops}
    geometric = {op[0]['type'] for op in df.geometric_ops}
    assert photometric and geometric and not photometric & geometric
    for part in ('labeled', 'unlabeled'):
        a = abl.train_dataloader.dataset[part].pipeline
        d = df.train_dataloader.dataset[part].pipeline
        assert a[:-1] == d[:-1]
        va, vd = a[-1], d[-1]
        assert {k: v for k, v in va.items() if k != 'strong'} == \
            {k: v for k, v in vd.items() if k != 'strong'}
        assert va.strong[1:] == vd.strong[1:]  # Cutout, pack
        ra, rd = va.strong[0], vd.strong[0]
        assert ra.type == rd.type == 'mmdet.RandAugment'
        assert ra.aug_num == rd.aug_num
        assert ra.aug_space == [
            op for op in rd.aug_space if op[0]['type'] not in photometric]
        assert {op[0]['type'] for op in ra.aug_space} == geometric
    for key in ('model', 'optim_wrapper', 'param_scheduler', 'train_cfg',
                'custom_hooks', 'default_hooks', 'val_dataloader'):
        assert abl[key] == df[key], key


def test_tau_ablation_is_dense_fixmatch_with_tau_095():
    """The tau ablation arm is the Dense FixMatch arm with the confidence
    threshold 0.95 instead of the paper's 0.5, nothing else."""
    abl = load(osp.basename(br.ARMS['dense_fixmatch_tau95']))
    df = load(osp.basename(br.ARMS['dense_fixmatch']))
    assert df.model.semi_train_cfg.pseudo_threshold == 0.5
    assert abl.model.semi_train_cfg.pseudo_threshold == 0.95
    abl.model.semi_train_cfg.pseudo_threshold = 0.5
    for key in ('model', 'train_dataloader', 'optim_wrapper',
                'param_scheduler', 'train_cfg', 'custom_hooks',
                'default_hooks', 'val_dataloader'):
        assert abl[key] == df[key], key


def test_ema_baseline_is_the_baseline_with_the_teachers_average():
    """The EMA baseline arm is the supervised baseline plus an EMA of its
    weights with the semi-supervised teachers' decay (BN statistics
    averaged too, as EMATeacherHook's EMAN), nothing else."""
    ema = arm('baseline_ema')
    sup = load(osp.basename(br.STAGE1))
    hook, = ema.custom_hooks
    assert hook.type == 'EMAHook' and hook.update_buffers
    assert hook.momentum == pytest.approx(1 - sup.cpu_ema.decay)
    assert 'custom_hooks' not in sup
    for key in ('model', 'train_dataloader', 'optim_wrapper',
                'param_scheduler', 'train_cfg', 'default_hooks',
                'val_dataloader', 'randomness'):
        assert ema[key] == sup[key], key


UNIMATCH_MODEL = osp.join(REPO, 'configs', '_base_', 'models',
                          'unimatch_deeplabv3plus_r101-d16.py')
UNIMATCH_DEMO = osp.join(REPO, 'configs', 'demo', 'unimatch_deeplabv3plus_'
                         'r18-d8_1xb8-explicit-cpu-sup300i-100i_'
                         'synthcityscapes-8.py')


def test_unimatch_arm_is_the_official_unimatch():
    """The UniMatch arm trains the official UniMatch (the model config's
    semi_train_cfg, the Cityscapes config's threshold 0, the demo's two
    strong views on one crop) on the regime's start, data and schedule,
    and evaluates the EMA of its weights, as the EMA baseline does."""
    um = arm('unimatch')
    ref = Config.fromfile(UNIMATCH_MODEL).model.semi_train_cfg
    ref.pseudo_threshold = 0.0  # official configs/cityscapes.yaml
    assert um.model.type == 'UniMatch'
    assert um.model.semi_train_cfg == ref
    assert um.model.semi_test_cfg.predict_on == 'student'
    demo = Config.fromfile(UNIMATCH_DEMO)
    for part in ('labeled', 'unlabeled'):
        assert um.train_dataloader.dataset[part].pipeline == \
            demo.train_dataloader.dataset[part].pipeline
    views = um.train_dataloader.dataset.unlabeled.pipeline[-1]
    assert (views.crop_relation, views.share_scale) == ('same', True)
    assert views.strong == views.strong2
    assert [h.type for h in um.custom_hooks] == [
        'RNGStateHook', 'EMAHook', 'PseudoLabelVisualizationHook']
    assert um.custom_hooks[1] == arm('baseline_ema').custom_hooks[0]
    df = arm('dense_fixmatch')
    for key in ('optim_wrapper', 'param_scheduler', 'train_cfg',
                'default_hooks', 'val_dataloader'):
        assert um[key] == df[key], key
    assert um.model.segmentor == df.model.segmentor


def test_unimatch_checkpoint_holds_the_average(class_cue_roots, tmp_path):
    """The UniMatch arm's checkpoint is the EMA of its weights (what is
    evaluated), not the last self-labeling model."""
    cfg = copy.deepcopy(arm('unimatch'))
    cfg.model.segmentor.init_cfg = None
    cfg.model.segmentor.pretrained = None
    for part in ('labeled', 'unlabeled'):
        cfg.train_dataloader.dataset[part].update(
            data_root=class_cue_roots['textured'], ann_file='')
    cfg.train_dataloader.sampler.update(batch_size=2, num_labeled=1)
    assert_checkpoint_is_the_ema(cfg, tmp_path, steps=2)


def test_ema_baseline_checkpoint_holds_the_average(class_cue_roots,
                                                   tmp_path):
    """The EMA baseline's checkpoint is the EMA of its weights."""
    cfg = copy.deepcopy(arm('baseline_ema'))
    cfg.model.pretrained = None
    cfg.train_dataloader.dataset.update(
        data_root=class_cue_roots['textured'], ann_file='')
    assert_checkpoint_is_the_ema(cfg, tmp_path)
