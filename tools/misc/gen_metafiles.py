"""Write ``configs/<method>/metafile.yml`` for every method folder and the
repository's ``model-index.yml`` (OpenMMLab model-zoo schema, as mmseg's and
mmdet's), from the configs themselves and the papers' reported results.

Each entry's metadata (iterations, batch per GPU, crop) is read by loading
the config (``mmengine.config.Config.fromfile``); GPUs come from the name
(``4xb4`` = 4 GPUs x 4 images). The results are the PAPERS' reported numbers
for the setting the config reproduces (``Results[].Source: paper``; most
papers report the mean over several splits/seeds while a config trains split
0). Where the paper reports no number for a config, the entry has no
``Results`` and ``Notes`` says so. Nothing here was trained by mmssl: there
are no checkpoints (no ``Weights``).

Usage: python tools/misc/gen_metafiles.py [--folders dense_fixmatch ...]
Then:  python tools/misc/gen_config_readmes.py   (README tables)
Re-run both after adding or renaming a config; tests/test_model_index.py
fails until then.
"""
import argparse
import glob
import os
import os.path as osp
import re
import sys

import yaml

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

DFM_PAPER = ('Dense FixMatch: a simple semi-supervised learning method for '
             'pixel-wise prediction tasks')
MT_PAPER = ('Multi-task learning on partially labeled datasets via '
            'invariant/equivariant semi-supervised learning')
DFM_URL = 'https://arxiv.org/abs/2210.09919'
MT_URL = 'https://arxiv.org/abs/2605.17624'


def pm(mean, std=None):
    return (mean, std)


# ---------------------------------------------------------------- Dense FixMatch paper
CS_SPLITS = ['1-32', '1-16', '1-8', '1-4', '1-2', 'full']
VOC_SPLITS = ['92', '183', '366', '732', '1464']
# Table 1 (Cityscapes val, mean +- std over 4 splits), x100
DFM_T1 = {
    ('r50', 'explicit'): [(65.81, 2.02), (70.13, .79), (72.43, .49),
                          (75.04, .63), (75.99, .63)],
    ('r50', 'implicit'): [(65.54, 1.58), (70.65, .65), (73.39, .55),
                          (75.47, .70), (76.37, .79)],
    ('r101', 'explicit'): [(66.97, 1.19), (71.10, .61), (72.83, .69),
                           (75.72, .15), (76.66, .50)],
    ('r101', 'implicit'): [(64.81, 1.78), (70.83, .98), (73.91, .28),
                           (75.65, .58), (76.35, .88)],
    ('r50', 'sup'): [(55.79, .91), (60.04, .12), (65.50, .51), (69.43, .65),
                     (73.32, .95), (76.08, .54)],
    ('r101', 'sup'): [(56.86, .80), (61.22, .25), (66.28, .81), (69.79, .49),
                      (74.21, .81), (76.52, .23)],
}
# Table 2 (Pascal VOC 2012 val), 92 .. 1464
DFM_T2 = {
    ('r50', 'explicit'): [(52.15, 2.46), (62.49, 3.74), (69.02, .45),
                          (71.69, .10), (73.91, .12)],
    ('r50', 'implicit'): [(49.28, 2.84), (58.92, 3.34), (67.29, .76),
                          (70.31, .28), (74.32, .45)],
    ('r101', 'explicit'): [(54.85, 5.01), (65.82, 3.34), (72.04, .59),
                           (74.73, .08), (77.16, .20)],
    ('r101', 'implicit'): [(49.84, 3.00), (61.33, 3.13), (70.47, .53),
                           (74.14, .44), (77.10, .46)],
    ('r50', 'sup'): [(40.75, 1.14), (53.61, 2.57), (61.83, 1.53),
                     (67.88, .56), (72.14, .29)],
    ('r101', 'sup'): [(44.82, 2.56), (57.71, 2.47), (65.34, .81),
                      (70.59, .41), (74.54, .23)],
}
# Table 3 (Cityscapes full + extra): (backbone, sampling, lu) ->
DFM_T3 = {
    ('r50', 'explicit', 'all'): (79.98, .20),
    ('r50', 'explicit', 'unlabeled'): (79.16, .26),
    ('r50', 'implicit', 'all'): (79.48, .16),
    ('r50', 'implicit', 'unlabeled'): (79.35, .17),
    ('r101', 'explicit', 'all'): (80.82, .24),
    ('r101', 'explicit', 'unlabeled'): (80.05, .10),
    ('r101', 'implicit', 'all'): (80.12, .13),
    ('r101', 'implicit', 'unlabeled'): (79.74, .20),
}


def seg(value, source, dataset, std=None):
    metrics = {'mIoU': value}
    if std is not None:
        metrics['mIoU std'] = std
    return dict(Task='Semantic Segmentation', Dataset=dataset,
                Metrics=metrics, Source='paper', Reference=source)


def det(value, source, dataset):
    return dict(Task='Object Detection', Dataset=dataset,
                Metrics={'box AP': value}, Source='paper', Reference=source)


def tok(name, pattern):
    m = re.search(pattern, name)
    return m.group(1) if m else None


def sampling_of(name):
    for s in ('explicit', 'implicit'):
        if f'-{s}-' in name:
            return s
    return None


def dense_fixmatch_results(name):
    bb = tok(name, r'_(r\d+)-')
    smp = sampling_of(name)
    if name.startswith('mean-teacher'):
        return [seg(58.20, 'Dense FixMatch paper, table 5 ("Mean Teacher*", '
                    'single figure)', 'Cityscapes')], 'ablation', None
    if '-same-crop-' in name:
        return [seg(66.60, 'Dense FixMatch paper, table 5 (crop relation '
                    '"same", all augmentations, MT; single figure)',
                    'Cityscapes')], 'ablation', None
    if '-any-crop-' in name:
        return [seg(63.00, 'Dense FixMatch paper, table 5 (crop relation '
                    '"any", all augmentations, MT; single figure)',
                    'Cityscapes')], 'ablation', None
    if name.endswith('cityscapes-full'):
        lu = 'unlabeled' if '-lu-unlabeled-' in name else 'all'
        m, s = DFM_T3[(bb, smp, lu)]
        row = ('train + extra' if lu == 'all' else 'extra only')
        return [seg(m, f'Dense FixMatch paper, table 3 ({bb.upper()}, '
                    f'{smp}, Lu on {row}; mean +- std of 4 runs)',
                    'Cityscapes', s)], None, None
    ds = tok(name, r'_(cityscapes|voc12)-')
    split = name.rsplit('-', 1)[-1] if ds == 'voc12' else tok(
        name, r'cityscapes-(.+)$')
    if ds == 'cityscapes':
        m, s = DFM_T1[(bb, smp)][CS_SPLITS.index(split)]
        return [seg(m, f'Dense FixMatch paper, table 1 ({bb.upper()}, {smp},'
                    f' {split}; mean +- std over 4 splits)', 'Cityscapes',
                    s)], None, None
    m, s = DFM_T2[(bb, smp)][VOC_SPLITS.index(split)]
    return [seg(m, f'Dense FixMatch paper, table 2 ({bb.upper()}, {smp}, '
                f'{split} labeled; mean +- std over 4 splits)',
                'Pascal VOC 2012', s)], None, None


def baseline_results(name):
    bb = tok(name, r'_(r\d+)-')
    if '_cityscapes-' in name:
        split = tok(name, r'cityscapes-(.+)$')
        m, s = DFM_T1[(bb, 'sup')][CS_SPLITS.index(split)]
        return [seg(m, f'Dense FixMatch paper, table 1 (supervised, '
                    f'{bb.upper()}, {split}; mean +- std over 4 splits)',
                    'Cityscapes', s)], None, None
    split = name.rsplit('-', 1)[-1]
    m, s = DFM_T2[(bb, 'sup')][VOC_SPLITS.index(split)]
    return [seg(m, f'Dense FixMatch paper, table 2 (supervised, '
                f'{bb.upper()}, {split} labeled; mean +- std over 4 '
                'splits)', 'Pascal VOC 2012', s)], None, None


# ---------------------------------------------------------------- multi-task paper
MT_N = ['93', '186', '372', '744', '1488', '2975']
# Table 1, single-task (seg-N / det-N): {(method, sampling): (det, seg)}
MT_T1_SINGLE = {
    ('sup', None): ([20.10, 23.61, 27.40, 29.82, 29.88, 32.00],
                    [55.38, 62.43, 66.59, 69.88, 72.88, 74.98]),
    ('fixmatch-star', 'implicit'): ([17.81, 23.45, 27.58, 29.57, 31.41],
                                    [58.71, 65.43, 71.32, 73.61, 75.23]),
    ('fixmatch-star', 'explicit'): ([23.58, 26.26, 29.25, 30.93, 33.75],
                                    [61.35, 66.98, 71.29, 73.35, 74.94]),
    ('dense-fixmatch', 'implicit'): ([19.90, 24.05, 25.89, 30.45, 33.00],
                                     [60.42, 66.90, 71.75, 73.90, 74.72]),
    ('dense-fixmatch', 'explicit'): ([24.84, 27.32, 29.99, 31.90, 33.82],
                                     [64.16, 68.72, 71.45, 73.66, 74.63]),
}
# Tables 1 (a), 2 (b, c): {setting: {(method, sampling): (det, seg)}}
MT_T12 = {
    'a': {
        ('sup', None): ([31.73, 33.02, 32.39, 32.05, 33.69, 33.73],
                        [56.84, 64.49, 67.96, 71.21, 73.69, 75.50]),
        ('fixmatch-star', 'implicit'): ([34.07, 34.57, 34.67, 35.04, 35.06],
                                        [62.38, 68.11, 72.56, 74.28, 74.98]),
        ('fixmatch-star', 'explicit'): ([32.53, 33.38, 33.69, 34.48, 34.38],
                                        [63.42, 69.10, 72.18, 73.87, 75.68]),
        ('dense-fixmatch', 'implicit'): ([34.23, 34.97, 34.40, 35.28, 34.76],
                                         [61.60, 68.85, 72.96, 74.64,
                                          75.83]),
        ('dense-fixmatch', 'explicit'): ([32.97, 33.31, 33.83, 34.93, 35.49],
                                         [64.53, 70.24, 72.54, 74.21,
                                          75.50]),
    },
    'b': {
        ('sup', None): ([19.88, 23.78, 26.80, 30.20, 31.36],
                        [55.19, 62.88, 67.36, 70.62, 73.34]),
        ('fixmatch-star', 'implicit'): ([19.02, 26.29, 28.66, 31.31, 33.77],
                                        [58.61, 67.89, 71.84, 73.88, 74.91]),
        ('fixmatch-star', 'explicit'): ([23.34, 27.87, 30.38, 32.49, 33.76],
                                        [63.25, 67.33, 71.18, 73.95, 74.91]),
        ('dense-fixmatch', 'implicit'): ([21.20, 25.17, 28.17, 31.65, 33.70],
                                         [60.02, 66.71, 71.67, 74.37,
                                          75.06]),
        ('dense-fixmatch', 'explicit'): ([25.70, 28.21, 29.76, 32.79, 34.43],
                                         [61.48, 69.12, 72.33, 74.03,
                                          74.89]),
    },
    'c': {
        ('sup', None): ([18.95, 24.38, 27.02, 29.58, 30.59],
                        [55.69, 62.64, 67.02, 70.65, 73.26]),
        ('fixmatch-star', 'implicit'): ([19.35, 22.02, 29.06, 31.54, 33.96],
                                        [58.73, 67.12, 71.17, 73.22, 75.04]),
        ('fixmatch-star', 'explicit'): ([22.72, 26.61, 29.73, 29.87, 33.91],
                                        [60.44, 66.74, 70.29, 72.28, 75.23]),
        ('dense-fixmatch', 'implicit'): ([20.92, 25.79, 28.45, 32.13, 33.64],
                                         [60.47, 67.79, 69.58, 72.78,
                                          75.17]),
        ('dense-fixmatch', 'explicit'): ([24.93, 27.80, 30.24, 31.77, 33.74],
                                         [61.66, 66.03, 70.65, 73.82,
                                          75.10]),
    },
}
# Table 3 (d, e): columns (seg labels, det labels)
MT_T3_COLS = ['93-372', '93-744', '93-1488', '186-744', '186-1488',
              '372-1488']
MT_T3 = {
    'd': {
        ('sup', None): ([27.14, 29.51, 31.60, 29.70, 31.41, 31.48],
                        [56.08, 56.62, 57.97, 62.91, 64.07, 67.88]),
        ('fixmatch-star', 'implicit'): (
            [27.25, 29.95, 33.07, 31.23, 32.57, 33.57],
            [59.73, 59.53, 60.42, 68.46, 66.78, 72.52]),
        ('fixmatch-star', 'explicit'): (
            [29.24, 31.85, 33.80, 31.77, 33.70, 34.02],
            [61.43, 61.27, 61.19, 67.10, 67.02, 71.77]),
        ('dense-fixmatch', 'implicit'): (
            [27.47, 31.09, 33.78, 32.19, 33.18, 33.39],
            [59.67, 62.58, 60.58, 67.84, 68.65, 71.90]),
        ('dense-fixmatch', 'explicit'): (
            [29.50, 31.59, 34.08, 32.28, 34.00, 34.13],
            [61.91, 64.14, 60.89, 68.82, 68.34, 72.51]),
    },
    'e': {
        ('sup', None): ([26.54, 29.48, 32.21, 28.47, 31.45, 31.21],
                        [58.26, 60.07, 60.73, 64.11, 64.82, 68.93]),
        ('fixmatch-star', 'implicit'): (
            [27.28, 30.55, 30.81, 29.39, 33.82, 33.56],
            [59.48, 62.45, 60.79, 67.13, 69.17, 70.47]),
        ('fixmatch-star', 'explicit'): (
            [29.02, 31.38, 33.43, 31.71, 33.42, 34.55],
            [61.06, 65.36, 62.90, 65.93, 68.97, 72.05]),
        ('dense-fixmatch', 'implicit'): (
            [28.53, 31.84, 33.21, 31.07, 33.01, 34.08],
            [63.22, 63.60, 62.98, 68.22, 67.37, 72.20]),
        ('dense-fixmatch', 'explicit'): (
            [29.60, 32.14, 34.40, 32.31, 33.93, 35.20],
            [60.99, 62.07, 63.33, 68.85, 67.14, 71.45]),
    },
}
# Table 4 (full Cityscapes): (method, sampling, lu, data) -> (det, seg)
MT_T4 = {
    ('sup', None, None, 'train'): (36.66, 76.45),
    ('fixmatch-star', 'implicit', 'unlabeled', 'extra'): (33.92, 77.96),
    ('fixmatch-star', 'implicit', 'unlabeled', 'sequence'): (27.69, 76.20),
    ('fixmatch-star', 'implicit', 'all', 'train'): (37.94, 77.75),
    ('fixmatch-star', 'implicit', 'all', 'extra'): (34.49, 78.07),
    ('fixmatch-star', 'implicit', 'all', 'sequence'): (26.50, 76.10),
    ('fixmatch-star', 'explicit', 'unlabeled', 'extra'): (38.23, 78.88),
    ('fixmatch-star', 'explicit', 'unlabeled', 'sequence'): (38.39, 77.70),
    ('fixmatch-star', 'explicit', 'all', 'extra'): (38.48, 78.57),
    ('fixmatch-star', 'explicit', 'all', 'sequence'): (38.06, 77.88),
    ('dense-fixmatch', 'implicit', 'unlabeled', 'extra'): (36.25, 78.20),
    ('dense-fixmatch', 'implicit', 'unlabeled', 'sequence'): (15.45, 75.51),
    ('dense-fixmatch', 'implicit', 'all', 'train'): (38.02, 78.05),
    ('dense-fixmatch', 'implicit', 'all', 'extra'): (35.05, 78.08),
    ('dense-fixmatch', 'implicit', 'all', 'sequence'): (23.76, 75.93),
    ('dense-fixmatch', 'explicit', 'unlabeled', 'extra'): (38.05, 78.76),
    ('dense-fixmatch', 'explicit', 'unlabeled', 'sequence'): (38.13, 78.61),
    ('dense-fixmatch', 'explicit', 'all', 'extra'): (37.98, 78.24),
    ('dense-fixmatch', 'explicit', 'all', 'sequence'): (38.43, 78.06),
}
# Table 7 (BDD100K): (method, sampling, lu) -> (det, seg)
MT_T7 = {
    ('det-only-sup', None, None): (27.22, None),
    ('seg-only-sup', None, None): (None, 60.83),
    ('multitask-sup', 'both', None): (22.00, 57.70),
    ('multitask-sup', 'any', None): (26.86, 60.47),
    ('fixmatch-star', 'implicit', 'unlabeled'): (25.64, 63.18),
    ('fixmatch-star', 'implicit', 'all'): (26.77, 63.82),
    ('fixmatch-star', 'explicit', 'unlabeled'): (26.23, 63.98),
    ('fixmatch-star', 'explicit', 'all'): (26.48, 63.94),
    ('dense-fixmatch', 'implicit', 'unlabeled'): (25.67, 62.87),
    ('dense-fixmatch', 'implicit', 'all'): (26.44, 61.44),
    ('dense-fixmatch', 'explicit', 'unlabeled'): (26.19, 63.65),
    ('dense-fixmatch', 'explicit', 'all'): (26.70, 64.70),
}


def _mt_pair(d, s, ref, dataset, want_det=True, want_seg=True):
    out = []
    if want_seg and s is not None:
        out.append(seg(s, ref, dataset))
    if want_det and d is not None:
        out.append(det(d, ref, dataset))
    return out


def semi_multitask_results(name):
    method = name.split('_', 1)[0]
    smp = sampling_of(name)
    lu = 'unlabeled' if '-lu-unlabeled-' in name else 'all'
    mkey = ('sup' if method.endswith('-sup') else method)
    if '_bdd100k-' in name:
        if method == 'multitask-sup':
            key = (method, name.rsplit('-', 1)[-1], None)
        elif mkey == 'sup':
            key = (method, None, None)
        else:
            key = (method, smp, lu)
        d, s = MT_T7[key]
        row = ', '.join(str(x) for x in key if x)
        if key[2]:
            row = row.replace(f', {key[2]}', f', Lu on {key[2]}')
        return _mt_pair(d, s, f'multi-task paper, table 7 (BDD100K, {row};'
                        ' single figure)', 'BDD100K'), None, None
    if 'cityscapes-mt-full' in name:
        data = ('sequence' if name.endswith('extra-sequence') else
                'extra' if name.endswith('full-extra') else 'train')
        key = (mkey, None, None, data) if mkey == 'sup' else (
            mkey, smp or 'implicit', lu, data)
        d, s = MT_T4[key]
        return _mt_pair(d, s, 'multi-task paper, table 4 (full Cityscapes'
                        f', +{data}' + (f', {key[1]}, Lu on {lu}'
                                        if mkey != 'sup' else '') +
                        '; single figure)', 'Cityscapes'), None, None
    regime = tok(name, r'cityscapes-mt-(.+)$')
    kind, rest = regime.split('-', 1)
    skey = (mkey, None if mkey == 'sup' else smp)
    if kind in ('seg', 'det'):
        dets, segs = MT_T1_SINGLE[skey]
        i = MT_N.index(rest)
        v = (segs if kind == 'seg' else dets)[i]
        ref = (f'multi-task paper, table 1 (single-task '
               f'{"segmentation" if kind == "seg" else "detection"}, {rest} '
               'labels; single figure)')
        return ([seg(v, ref, 'Cityscapes')] if kind == 'seg' else
                [det(v, ref, 'Cityscapes')]), None, None
    if kind in MT_T12:
        dets, segs = MT_T12[kind][skey]
        i = MT_N.index(rest)
        table = 1 if kind == 'a' else 2
        return _mt_pair(dets[i], segs[i], f'multi-task paper, table {table}'
                        f' (setting ({kind}), {rest} labels; single '
                        'figure)', 'Cityscapes'), None, None
    dets, segs = MT_T3[kind][skey]
    i = MT_T3_COLS.index(rest)
    s_n, d_n = rest.split('-')
    return _mt_pair(dets[i], segs[i], f'multi-task paper, table 3 (setting '
                    f'({kind}), {s_n} segmentation / {d_n} detection labels;'
                    ' single figure)', 'Cityscapes'), None, None


def fixmatch_results(name):
    smp = sampling_of(name)
    if name.endswith('cityscapes-full'):
        return None, None, (
            'The papers report no single-task FixMatch* result on full '
            'Cityscapes + extra (the multi-task paper\'s table 4 is the '
            'multi-task model: configs/semi_multitask/fixmatch-star_'
            'deeplabv3plus-retinanet_r50_4xb4-*-cityscapes-mt-full-extra).')
    split = tok(name, r'cityscapes-(.+)$')
    n = MT_N[CS_SPLITS.index(split)]
    v = MT_T1_SINGLE[('fixmatch-star', smp)][1][CS_SPLITS.index(split)]
    return None, None, (
        f'No paper reports this exact setting (the Dense FixMatch paper\'s '
        f'hyper-parameters, tau 0.5, with FixMatch*\'s views). Nearest: the '
        f'multi-task paper, table 1, single-task FixMatch* segmentation, '
        f'{smp}, {n} labels: {v} mIoU (tau 0, 800x800 crops; '
        f'configs/semi_multitask/fixmatch-star_deeplabv3plus_r50_4xb4-{smp}-'
        f'89k_cityscapes-mt-seg-{n}.py).')


# ---------------------------------------------------------------- mixing papers
CM_CS = {'100': (54.07, 1.61), '1-8': (61.35, .62), '1-4': (63.63, .33),
         '1-2': (66.29, .47)}
CM_VOC = {'1-100': 54.18, '1-50': 66.15, '1-20': 67.77, '1-8': 71.00,
          '1-4': 72.45}


def classmix_results(name):
    split = tok(name, r'_(?:cityscapes|voc12-aug)-(.+)$')
    if '-extra-augs-' in name:
        return [seg(61.85, 'ClassMix paper, table 3 ("Extra augmentations"; '
                    'mean of 3 runs)', 'Cityscapes')], 'ablation', None
    if '_cityscapes-' in name:
        if split not in CM_CS:
            return None, None, (
                'The ClassMix paper reports only the supervised baseline '
                'for all 2975 labeled (66.19 +- 0.11, table 1), no '
                'ClassMix result.')
        m, s = CM_CS[split]
        return [seg(m, f'ClassMix paper, table 1 ({split}; mean +- std of '
                    '3 runs)', 'Cityscapes', s)], None, None
    return [seg(CM_VOC[split], f'ClassMix paper, table 2 ({split}; single '
                'run)', 'Pascal VOC 2012 + SBD aug')], None, None


FR_CS = {'cutmix': {'100': (51.20, 2.29), '1-8': (60.34, 1.24),
                    '1-4': (63.87, .71), 'all': (67.68, .37)},
         'cutout': {'100': (47.21, 1.74), '1-8': (57.72, .83),
                    '1-4': (61.96, .99), 'all': (67.47, .68)}}
FR_VOC = {
    ('cutmix', 'deeplabv2'): {'1-100': 53.79, '1-50': 64.81, '1-20': 66.48,
                              '1-8': 67.60, 'all': 72.54},
    ('cutout', 'deeplabv2'): {'1-100': 48.73, '1-50': 58.26, '1-20': 64.37,
                              '1-8': 66.79, 'all': 72.03},
    ('cutmix', 'deeplabv3plus'): {'1-100': 59.52, '1-50': 67.05,
                                  '1-20': 69.57, '1-8': 72.45,
                                  'all': 76.73},
    ('cutmix', 'pspnet'): {'1-100': 67.20, '1-50': 68.80, '1-20': 73.33,
                           '1-8': 74.11, 'all': 77.42},
}


def french_results(name):
    method = 'cutmix' if name.startswith('cutmix') else 'cutout'
    arch = tok(name, r'^[a-z-]+_([a-z0-9]+)_')
    split = tok(name, r'_(?:cityscapes|voc12-aug)-(.+)$')
    if '-three-box-full-crop-' in name:
        return [seg(60.41, 'French et al., sec. 4.1 / appendix D.3 (three-'
                    'box mask, 1024x512 crops; mean +- std of 5 runs)',
                    'Cityscapes', 1.12)], 'ablation', None
    if '-full-crop-' in name:
        return [seg(58.75, 'French et al., sec. 4.1 / appendix D.3 (one box,'
                    ' 1024x512 crops; mean +- std of 5 runs)', 'Cityscapes',
                    .75)], 'ablation', None
    if '_cityscapes-' in name:
        m, s = FR_CS[method][split]
        return [seg(m, f'French et al., table 1 ({split}; mean +- std of 5 '
                    'runs)', 'Cityscapes', s)], None, None
    table = 'table 2' if arch == 'deeplabv2' else 'appendix table 4'
    return [seg(FR_VOC[(method, arch)][split], f'French et al., {table} '
                f'({arch}, {split}; single figure)',
                'Pascal VOC 2012 + SBD aug')], None, None


# ---------------------------------------------------------------- DARS
DARS_T1 = {  # (split, crop): (round 0 baseline, DARS with 2 rounds)
    ('1-8', '361x361'): ((60.75, .35), (69.64, .01)),
    ('1-4', '361x361'): ((66.54, .48), (71.30, .08)),
    ('1-8', '713x713'): ((65.54, .34), (72.78, .17)),
    ('1-4', '713x713'): ((69.22, .01), (74.32, .12)),
}


def dars_results(name):
    if name.startswith('dars_') and 'voc12' in name:
        return [seg(73.89, 'DARS paper, table 3 (PSPNet50, 1464 labeled + '
                    '9k aug unlabeled)', 'Pascal VOC 2012 + SBD aug')], \
            None, None
    if name.startswith('dars_deeplabv2'):
        return [seg(64.20, 'DARS paper, table 2 (DeepLab-v2, 1/8)',
                    'Cityscapes')], None, None
    split = tok(name, r'cityscapes-(1-\d+)-')
    crop = tok(name, r'-(\d+x\d+)$')
    if name.startswith('dars_pspnet'):
        m, s = DARS_T1[(split, crop)][1]
        return [seg(m, f'DARS paper, table 1 (PSPNet50, {split}, crop '
                    f'{crop}, 2 rounds; mean +- std of 3 runs)',
                    'Cityscapes', s)], None, None
    if name.startswith('pspnet') and 'cityscapes' in name:
        m, s = DARS_T1[(split, crop)][0]
        return [seg(m, f'DARS paper, table 1 ("Baseline" column: PSPNet50 '
                    f'on the labeled split, {split}, crop {crop})',
                    'Cityscapes', s)], 'round 0', None
    return None, 'round 0', (
        'Round 0 (supervised on the labeled split): the DARS paper reports '
        'no number for this baseline.')


def unimatch_results(name):
    return None, None, (
        'No paper number transcribed: the UniMatch paper is not among the '
        'papers this project works from (its text is not in the shared '
        'papers folder), so its tables were not read here; see the config\'s '
        'header for the table it reproduces.')


# UniMatch V2's README tables (LiheYoung/UniMatch-V2, "Results"; the
# paper's main tables), DINOv2-Base, one figure per split
UMV2_B = {
    'voc12': {'92': 86.3, '183': 87.9, '366': 88.9, '732': 90.0,
              '1464': 90.8},
    'cityscapes': {'1-16': 83.6, '1-8': 84.3, '1-4': 84.5, '1-2': 85.1},
    'ade20k': {'1-64': 38.7, '1-32': 45.0, '1-16': 46.7, '1-8': 49.8},
    'coco': {'1-512': 47.9, '1-256': 55.8, '1-128': 58.7, '1-64': 60.4,
             '1-32': 63.3},
}


def unimatch_v2_results(name):
    ds, split = re.search(r'_(voc12|cityscapes|ade20k|coco)-([0-9-]+)-\d+x',
                          name).groups()
    if '_dinov2-b_' in name:
        return [seg(UMV2_B[ds][split], f'UniMatch V2 README / paper main '
                    f'table ({ds}, {split}, DINOv2-Base; single figure)',
                    dataset_of(name))], None, None
    return None, None, (
        'No number transcribed for this encoder: the official README '
        'tables report DINOv2-Base; the paper\'s encoder ablation was not '
        'read here.')


FOLDERS = {
    'dense_fixmatch': dict(
        collection='Dense FixMatch', title=DFM_PAPER, url=DFM_URL,
        results=dense_fixmatch_results),
    'fixmatch': dict(
        collection='FixMatch*', title=MT_PAPER, url=MT_URL,
        results=fixmatch_results),
    'semi_multitask': dict(
        collection='Multi-task Dense FixMatch / FixMatch*', title=MT_PAPER,
        url=MT_URL, results=semi_multitask_results),
    'classmix': dict(
        collection='ClassMix',
        title=('ClassMix: Segmentation-Based Data Augmentation for '
               'Semi-Supervised Learning'),
        url='https://arxiv.org/abs/2007.07936', results=classmix_results),
    'cutmix': dict(
        collection='CutMix mean teacher',
        title=('Semi-supervised semantic segmentation needs strong, varied '
               'perturbations'),
        url='https://arxiv.org/abs/1906.01916', results=french_results),
    'cutout': dict(
        collection='Cutout mean teacher',
        title=('Semi-supervised semantic segmentation needs strong, varied '
               'perturbations'),
        url='https://arxiv.org/abs/1906.01916', results=french_results),
    'dars': dict(
        collection='DARS',
        title=('Re-distributing Biased Pseudo Labels for Semi-supervised '
               'Semantic Segmentation: A Baseline Investigation'),
        url='https://arxiv.org/abs/2107.11279', results=dars_results),
    'unimatch': dict(
        collection='UniMatch',
        title=('Revisiting Weak-to-Strong Consistency in Semi-Supervised '
               'Semantic Segmentation'),
        url='https://arxiv.org/abs/2208.09910', results=unimatch_results),
    'unimatch_v2': dict(
        collection='UniMatch V2',
        title=('UniMatch V2: Pushing the Limit of Semi-Supervised Semantic '
               'Segmentation'),
        url='https://arxiv.org/abs/2410.10777', results=unimatch_v2_results),
    'baseline': dict(
        collection='Supervised baseline (Dense FixMatch paper)',
        title=DFM_PAPER, url=DFM_URL, results=baseline_results),
}


def is_demo(name):
    """CPU demo configs on the generated data (not paper settings)."""
    return '-cpu-' in name or 'synth' in name


def method_configs(folder):
    paths = sorted(glob.glob(osp.join(ROOT, 'configs', folder, '*.py')))
    return [p for p in paths if not is_demo(osp.basename(p)[:-3])]


def dataset_of(name):
    for key, val in (('bdd100k', 'BDD100K'), ('voc12-aug', 'Pascal VOC 2012 '
                     '+ SBD aug'), ('voc12', 'Pascal VOC 2012'),
                     ('cityscapes', 'Cityscapes'), ('ade20k', 'ADE20K'),
                     ('coco', 'COCO (81 classes)')):
        if key in name:
            return val
    raise ValueError(name)


def metadata(path):
    from mmengine.config import Config
    name = osp.basename(path)[:-3]
    cfg = Config.fromfile(path)
    gpus, per_gpu = (int(x) for x in re.search(r'_(\d+)xb(\d+)[-_]',
                                               name).groups())
    batch = cfg.train_dataloader.get('batch_size')
    if batch != per_gpu:
        raise ValueError(f'{name}: name says b{per_gpu}, config batch_size '
                         f'{batch}')
    meta = {
        'Training Data': dataset_of(name),
        'Training Resources': f'{gpus}x GPUs x {per_gpu} images '
                              f'(batch {gpus * per_gpu})',
        'Batch Size': gpus * per_gpu,
        'Iterations': int(cfg.train_cfg.max_iters),
    }
    bb = tok(name, r'_(r\d+)[-_]')
    if bb:
        meta['Backbone'] = f'ResNet-{bb[1:]}'
    vit = tok(name, r'_dinov2-([sbl])_')
    if vit:
        meta['Backbone'] = f'DINOv2 ViT-{vit.upper()}/14'
    crop = cfg.get('crop_size')
    if crop is not None:
        meta['Crop Size'] = f'{crop[0]}x{crop[1]}'
    smp = sampling_of(name)
    if smp:
        meta['Sampling'] = smp
    return meta


def make_metafile(folder, spec, log=print, cache=None):
    models = []
    paths = method_configs(folder)
    for k, path in enumerate(paths, 1):
        name = osp.basename(path)[:-3]
        log(f'[{folder}] {k}/{len(paths)} {name}')
        results, role, note = spec['results'](name)
        entry = {
            'Name': name,
            'In Collection': spec['collection'],
            'Config': f'configs/{folder}/{name}.py',
            'Metadata': (dict(cache[path]) if cache is not None
                         and path in cache else metadata(path)),
        }
        if cache is not None:
            cache[path] = dict(entry['Metadata'])
        if role:
            entry['Metadata']['Role'] = role
        if results:
            entry['Results'] = results
        entry['Notes'] = note or (
            'Results are the paper\'s reported numbers for this setting '
            '(Source: paper), not a checkpoint of mmssl; no weights.')
        models.append(entry)
    datasets = sorted({m['Metadata']['Training Data'] for m in models})
    return {
        'Collections': [{
            'Name': spec['collection'],
            'License': 'Apache License 2.0',
            'Metadata': {'Training Data': datasets},
            'Paper': {'Title': spec['title'], 'URL': spec['url']},
            'README': f'configs/{folder}/README.md',
            'Frameworks': ['PyTorch'],
        }],
        'Models': models,
    }


HEADER = ('# Generated by tools/misc/gen_metafiles.py from the configs and '
          'the papers\' tables.\n# Results are the PAPERS\' reported numbers '
          '(Source: paper); mmssl has no checkpoints yet.\n')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--folders', nargs='*', default=list(FOLDERS))
    parser.add_argument(
        '--cache', help='JSON file of already loaded configs\' metadata '
        '(development only: it is not invalidated when a base changes)')
    args = parser.parse_args(argv)
    cache = None
    if args.cache:
        import json
        cache = (json.load(open(args.cache)) if osp.exists(args.cache) else
                 {})
    for folder in args.folders:
        data = make_metafile(folder, FOLDERS[folder], cache=cache)
        if cache is not None:
            with open(args.cache, 'w') as f:
                json.dump(cache, f)
        out = osp.join(ROOT, 'configs', folder, 'metafile.yml')
        with open(out, 'w') as f:
            f.write(HEADER)
            yaml.safe_dump(data, f, sort_keys=False, width=1000,
                           allow_unicode=True)
        print(f'wrote {osp.relpath(out, ROOT)} ({len(data["Models"])} '
              'models)')
    index = {'Import': [f'configs/{f}/metafile.yml' for f in FOLDERS
                        if osp.exists(osp.join(ROOT, 'configs', f,
                                               'metafile.yml'))]}
    with open(osp.join(ROOT, 'model-index.yml'), 'w') as f:
        yaml.safe_dump(index, f, sort_keys=False)
    print('wrote model-index.yml')


if __name__ == '__main__':
    sys.exit(main())
