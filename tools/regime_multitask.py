"""The multi-task arms of the CPU regime benchmark (tools/benchmark_regime.py).

Per dataset and labeled split ``1-k`` of the single-task arms, the
multi-task model (DeepLabv3+ + a one-stage detector on one ResNet-18)
trains in setting (d) of the multi-task paper: the split's images labeled
for segmentation (the same images as the single-task split) inside
``cpu_mt_num_det`` images labeled for detection
(``tools/make_splits.py --multitask d-<S>-<D>``; boxes from the instance
maps, ``tools/convert_cityscapes_boxes.py``):

* ``mt_stage1``: the supervised multi-task config from the pretrained
  backbone, ``--mt-stage1-iters`` steps (4500);
* arms ``mt_baseline`` (supervised), ``mt_baseline_ema`` (the same,
  evaluated with the EMA of its weights, as the semi-supervised arms are
  with their EMA teacher), ``mt_dense_fixmatch`` and ``mt_fixmatch_star``,
  ``--iters`` more from its checkpoint.

Each run's record adds the detector's bbox mAP and mAP50 (x100) to the
segmentation metrics and, for the semi-supervised arms, the pseudo-boxes
per image that training logged (``pseudo_boxes_per_img``: the teacher's
boxes scoring >= the paper's 0.5, projected into the strong view and kept
there at >= 2 px; averaged over the logged steps).
"""
import json
import os.path as osp
import re
import statistics
from typing import Dict, List

from benchmark_common import DATA_STAMP, ROOT, run_quiet
from benchmark_learning import schedule_opts, seg_test_record
from benchmark_multitask import parse_test_metrics as mt_test_metrics

CFG_DIR = 'configs/cpu_benchmark/'
MT_STAGE1 = (CFG_DIR + 'multitask-sup_deeplabv3plus-retinanet_r18_1xb4-cpu-'
             'sup_synthcityscapes-mt-d-12-48.py')
MT_ARMS = dict(
    mt_baseline=MT_STAGE1,
    mt_baseline_ema=CFG_DIR + 'multitask-sup-ema_deeplabv3plus-retinanet_'
    'r18_1xb4-cpu-sup_synthcityscapes-mt-d-12-48.py',
    mt_dense_fixmatch=CFG_DIR + 'dense-fixmatch_deeplabv3plus-retinanet_'
    'r18_1xb8-explicit-cpu-stage2_synthcityscapes-mt-d-12-48.py',
    mt_fixmatch_star=CFG_DIR + 'fixmatch-star_deeplabv3plus-retinanet_'
    'r18_1xb8-explicit-cpu-stage2_synthcityscapes-mt-d-12-48.py',
    # not in the default arm list: FixMatch* with Soft Teacher's background
    # weighting of the unsupervised detection loss (the peers' answer to
    # the paper's positives-only loss; arXiv:2106.09018)
    mt_fixmatch_star_soft_bg=CFG_DIR + 'fixmatch-star-soft-teacher-bg_'
    'deeplabv3plus-retinanet_r18_1xb8-explicit-cpu-stage2_synthcityscapes-'
    'mt-d-12-48.py')
MT_LABELS = dict(
    mt_stage1='multi-task stage 1 (supervised)',
    mt_baseline='multi-task supervised baseline',
    mt_baseline_ema='multi-task supervised baseline, EMA weights',
    mt_dense_fixmatch='multi-task Dense FixMatch',
    mt_fixmatch_star='multi-task FixMatch*',
    mt_fixmatch_star_soft_bg='multi-task FixMatch*, Soft Teacher background')
# where each config keeps the stage-1 checkpoint (SemiMultiTask: on the
# inner network, so student and EMA teacher both start from it)
MT_INIT_KEY = dict(supervised='model.init_cfg', semi='model.model.init_cfg')
# images labeled for detection, of the 96 train images (cpu_mt_num_det of
# configs/_base_/cpu_benchmark.py)
NUM_DET = 48


def mt_regime(split: str, num_train: int) -> str:
    """``d-<S>-<D>`` of a single-task split ``1-k``."""
    k = int(split.split('-')[1])
    num_seg = -(-num_train // k)  # rounded up, as make_splits --fractions
    return f'd-{num_seg}-{NUM_DET}'


def prepare_mt_data(py: str, root: str, splits: List[str],
                    num_train: int) -> None:
    """Boxes of train and val and the multi-task splits; the boxes are
    derived again when missing or older than the generated data (its
    stamp), so a regenerated dataset never keeps the old boxes."""
    if boxes_stale(osp.join(ROOT, root)):
        run_quiet([[py, 'tools/convert_cityscapes_boxes.py', root]], root)
    run_quiet([[py, 'tools/make_splits.py', '--dataset', 'cityscapes',
                '--data-root', root, '--multitask',
                *[mt_regime(s, num_train) for s in splits],
                '--num-splits', '1']], root)


def boxes_stale(root: str) -> bool:
    """Whether ``root``'s box annotations are missing or older than its
    generator stamp (``DATA_STAMP``)."""
    anns = [osp.join(root, 'annotations', f'multitask_gtFine_{s}.json')
            for s in ('train', 'val')]
    if not all(osp.isfile(a) for a in anns):
        return True
    stamp = osp.join(root, DATA_STAMP)
    return osp.isfile(stamp) and min(map(osp.getmtime, anns)) < \
        osp.getmtime(stamp)


def mt_eval_opts(root: str) -> List[str]:
    ann = osp.join(root, 'annotations/multitask_gtFine_val.json')
    return [f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}',
            f'val_evaluator.det_metric.ann_file={ann}',
            f'test_evaluator.det_metric.ann_file={ann}']


def mt_train_opts(semi: bool, root: str, regime: str) -> List[str]:
    sd = f'splits/multitask/{regime}/split0'
    files = [f'seg_split={sd}/seg_labeled.txt',
             f'det_split={sd}/det_labeled.txt', f'data_root={root}']
    parts = ['labeled', 'unlabeled'] if semi else [None]
    return [f'train_dataloader.dataset.{p + "." if p else ""}{f}'
            for p in parts for f in files] + mt_eval_opts(root)


def mt_job_opts(arm: str, semi: bool, root: str, regime: str, iters: int,
                common: List[str], ckpt: str = None) -> List[str]:
    """``--cfg-options`` of one multi-task run (``ckpt``: the stage-1
    checkpoint an arm starts from)."""
    opts = schedule_opts(iters) + common + mt_train_opts(semi, root, regime)
    if ckpt:
        key = MT_INIT_KEY['semi' if semi else 'supervised']
        opts += [f'{key}.type=Pretrained', f'{key}.checkpoint={ckpt}']
        if not semi:  # every weight comes from the checkpoint (the stage-2
            # configs have no backbone init either)
            opts.append('model.backbone.init_cfg=None')
    return opts


def pseudo_boxes_per_img(train_log: str) -> float:
    """Mean of the ``pseudo_boxes_per_img`` values a training log holds
    (nan when none: a supervised run)."""
    try:
        with open(osp.join(ROOT, train_log)) as f:
            text = f.read()
    except OSError:
        return float('nan')
    vals = [float(v) for v in re.findall(
        r'pseudo_boxes_per_img: (-?[0-9.]+)', text)]
    return statistics.mean(vals) if vals else float('nan')


def mt_test_record(text: str) -> Dict:
    """Segmentation metrics and per-class IoU plus bbox mAP / mAP50 (x100)
    of a ``tools/test.py`` log of the multi-task model."""
    rec = seg_test_record(text)
    det = mt_test_metrics(text)
    rec.update(bbox_mAP=det['bbox_mAP'], bbox_mAP_50=det['bbox_mAP_50'])
    return rec


def mt_summary(records: Dict[str, dict], data_seeds, splits) -> Dict:
    """Per (dataset, split): the multi-task stage-1 model's segmentation
    and detection, and the teacher boxes per image of each arm."""
    out = {}
    for d in data_seeds:
        for split in splits:
            s1 = records.get(f'data{d} {split} mt_stage1')
            if not s1:
                continue
            out[f'data{d}/{split}'] = dict(
                mt_stage1_mIoU=s1.get('mIoU'),
                mt_stage1_bbox_mAP=s1.get('bbox_mAP'),
                mt_stage1_bbox_mAP_50=s1.get('bbox_mAP_50'),
                pseudo_boxes_per_img={
                    a: records[k].get('pseudo_boxes_per_img')
                    for a in MT_ARMS
                    if (k := f'data{d} {split} {a}') in records})
    return json.loads(json.dumps(out))  # plain types for the results file
