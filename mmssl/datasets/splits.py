"""Labeled / unlabeled split lists for the semi-supervised regimes.

A *regime* says how many labeled samples to draw from which pool and where
the unlabeled samples come from:

* Cityscapes: ``1-32`` .. ``1-2`` draw 93 / 186 / 372 / 744 / 1488 of the
  2975 ``train`` images as labeled, the rest of ``train`` is unlabeled;
  ``full`` labels all of ``train`` and takes ``train_extra`` as unlabeled.
  ClassMix / French et al. regimes: ``100`` draws 100 (ClassMix's "1/30")
  of ``train``, the rest unlabeled; ``all`` labels all of ``train`` and
  keeps the same 2975 images as the unlabeled set (French et al.'s "All":
  their unsupervised set is the whole training set).
* Pascal VOC: ``92`` .. ``1464`` draw that many labeled images from the
  original ``train`` set (ImageSets/Segmentation/train.txt), unlabeled are
  the aug set (aug.txt) minus the labeled ones; ``aug-1-16`` .. ``aug-1-2``
  draw 662 / 1323 / 2646 / 5291 of the 10,582 aug images as labeled, the
  rest of aug is unlabeled. ClassMix / French et al.: ``aug-1-100``,
  ``aug-1-50``, ``aug-1-20`` draw 106 / 212 / 530 (the fractions rounded
  up, as ``aug-1-16`` .. ``aug-1-2``); ``aug-all`` labels the whole aug set
  and keeps it as the unlabeled set too.
* ADE20K (UniMatch V2): ``1-64`` .. ``1-2`` draw 316 / 631 / 1263 / 2526 /
  5052 / 10105 of the 20,210 ``images/training`` images as labeled, the
  rest of them is unlabeled. These are the line counts of the official
  lists (LiheYoung/UniMatch-V2 ``splits/ade20k/1_<k>/labeled.txt``; each
  ``unlabeled.txt`` holds the other 20,210 - n). They follow no single
  rounding rule (1/64 of 20,210 is 315.8 -> 316, 1/32 is 631.6 -> 631), so
  they are fixed counts; a custom ``--fractions 1/32`` rounds up (632).
* COCO, 81 classes (UniMatch V1 / V2): ``1-512`` .. ``1-32`` draw 232 /
  463 / 925 / 1849 / 3697 of the 118,287 ``train2017`` images as labeled
  (the official ``splits/coco/1_<k>/labeled.txt``, = 1/k rounded up), the
  rest of ``train2017`` is unlabeled. (Counting lines with ``wc -l`` gives
  one less: the official files have no final newline.)
* Custom regimes (for small or partial data): an explicit count (named
  ``<n>``, ``aug-<n>`` for the VOC aug pool) or a fraction of the labeled
  pool, rounded up (named ``1-<k>`` for 1/k, ``f<x>`` otherwise). On the full
  datasets the fraction regimes give exactly the paper counts.

Split ``k`` of a regime samples with seed ``seed + k``: a seeded permutation
of the sorted pool whose first ``n`` entries are labeled. Hence splits are
deterministic, and for one ``k`` the labeled set of a smaller regime is a
subset of a larger one's (same pool). Files are mmseg ``ann_file`` lists,
one stem per line, sorted, relative to the pool's image folder
(``leftImg8bit/train``, ``leftImg8bit/train_extra``, ``JPEGImages``,
``images/training`` or ``train2017``)::

    <out>/<regime>/split<k>/labeled.txt
    <out>/<regime>/split<k>/unlabeled.txt
    <out>/<regime>/regime.json   # counts, pools, image/label prefixes
"""
import glob
import json
import math
import os
import os.path as osp
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

CITYSCAPES_TRAIN_SIZE = 2975
VOC_TRAIN_SIZE = 1464
VOC_AUG_SIZE = 10582
ADE20K_TRAIN_SIZE = 20210
COCO_TRAIN_SIZE = 118287

# img_path / seg_map_path prefixes (relative to the dataset root) per pool.
POOL_PREFIXES = {
    ('cityscapes', 'train'):
    dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
    ('cityscapes', 'train_extra'):
    dict(img_path='leftImg8bit/train_extra'),
    ('voc', 'train'):
    dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
    ('voc', 'aug'):
    dict(img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
    # ADEChallengeData2016 images + UniMatch V2's preprocessed annotations
    # (same folder names; labels 0..149, 255 ignored)
    ('ade20k', 'train'):
    dict(img_path='images/training', seg_map_path='annotations/training'),
    # COCO 2017 images + UniMatch's preprocessed masks (one flat folder for
    # train2017 and val2017; labels 0..80, 0 = background)
    ('coco', 'train'):
    dict(img_path='train2017', seg_map_path='masks'),
}
# Pools found by scanning one flat image folder: (image, label) suffixes.
_SCANNED_POOLS = {
    ('ade20k', 'train'): ('.jpg', '.png'),
    ('coco', 'train'): ('.jpg', '.png'),
}


@dataclass(frozen=True)
class Regime:
    """How to draw one labeled / unlabeled split.

    Exactly one of ``num_labeled`` (a count) and ``fraction`` (of the
    labeled pool, rounded up) is set. The unlabeled set is
    ``unlabeled_pool`` minus the labeled samples, or all of
    ``unlabeled_pool`` if ``unlabeled_keeps_labeled`` (the labeled images
    are also used unlabeled, as French et al.'s "All" rows).
    """
    name: str
    dataset: str  # 'cityscapes' | 'voc' | 'ade20k' | 'coco'
    labeled_pool: str  # 'train' | 'aug'
    unlabeled_pool: str  # 'train' | 'aug' | 'train_extra'
    num_labeled: Optional[int] = None
    fraction: Optional[float] = None
    unlabeled_keeps_labeled: bool = False

    def count(self, pool_size: int) -> int:
        """Number of labeled samples for a labeled pool of ``pool_size``."""
        if self.num_labeled is not None:
            n = int(self.num_labeled)
        else:
            n = int(math.ceil(float(self.fraction) * pool_size - 1e-9))
        if n < 1:
            raise ValueError(f"regime '{self.name}' ({self.dataset}) asks for "
                             f'{n} labeled samples; need at least 1')
        if n > pool_size:
            raise ValueError(
                f"regime '{self.name}' ({self.dataset}) requests {n} labeled "
                f"samples but the '{self.labeled_pool}' pool has only "
                f'{pool_size} available')
        return n


def _paper_regimes() -> Dict[str, Tuple[Regime, ...]]:
    cs = tuple(
        Regime(f'1-{k}', 'cityscapes', 'train', 'train', n)
        for k, n in ((32, 93), (16, 186), (8, 372), (4, 744), (2, 1488)))
    cs += (Regime('full', 'cityscapes', 'train', 'train_extra',
                  fraction=1.0), )
    # ClassMix (1/30 = 100) and French et al. (100, 372, 744, all); 372 and
    # 744 are the 1-8 and 1-4 regimes above.
    cs += (Regime('100', 'cityscapes', 'train', 'train', 100),
           Regime('all', 'cityscapes', 'train', 'train', fraction=1.0,
                  unlabeled_keeps_labeled=True))
    voc = tuple(
        Regime(str(n), 'voc', 'train', 'aug', n)
        for n in (92, 183, 366, 732, 1464))
    voc += tuple(
        Regime(f'aug-1-{k}', 'voc', 'aug', 'aug', n)
        for k, n in ((16, 662), (8, 1323), (4, 2646), (2, 5291)))
    # ClassMix / French et al.: 1/100, 1/50, 1/20 of the aug set (1/8 and
    # 1/4 are above) and the whole aug set labeled and unlabeled.
    voc += tuple(
        Regime(f'aug-1-{k}', 'voc', 'aug', 'aug', n)
        for k, n in ((100, 106), (50, 212), (20, 530)))
    voc += (Regime('aug-all', 'voc', 'aug', 'aug', fraction=1.0,
                   unlabeled_keeps_labeled=True), )
    # UniMatch V2 (LiheYoung/UniMatch-V2 splits/ade20k/1_<k>/labeled.txt)
    ade = tuple(
        Regime(f'1-{k}', 'ade20k', 'train', 'train', n)
        for k, n in ((64, 316), (32, 631), (16, 1263), (8, 2526), (4, 5052),
                     (2, 10105)))
    # UniMatch V1 / V2 (splits/coco/1_<k>/labeled.txt, identical in both)
    coco = tuple(
        Regime(f'1-{k}', 'coco', 'train', 'train', n)
        for k, n in ((512, 232), (256, 463), (128, 925), (64, 1849),
                     (32, 3697)))
    return dict(cityscapes=cs, voc=voc, ade20k=ade, coco=coco)


PAPER_REGIMES = _paper_regimes()


def parse_fraction(text) -> float:
    """``'1/8'``, ``'0.125'`` or a number -> float in (0, 1]."""
    try:
        f = float(Fraction(str(text)))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f'cannot parse fraction {text!r}; use e.g. 1/8 or '
                         '0.125') from None
    if not 0 < f <= 1:
        raise ValueError(f'fraction must be in (0, 1], got {text!r}')
    return f


def _fraction_name(f: float) -> str:
    k = 1 / f
    if abs(k - round(k)) < 1e-9:
        return f'1-{int(round(k))}'
    return f'f{f:g}'


def custom_regimes(dataset: str,
                   num_labeled: Iterable[int] = (),
                   fractions: Iterable = (),
                   pool: str = 'train') -> List[Regime]:
    """Count / fraction regimes drawn from ``pool`` ('train' or VOC 'aug').

    Unlabeled: the rest of ``train`` (Cityscapes, ADE20K, COCO), or the VOC
    aug set.
    """
    if dataset not in PAPER_REGIMES:
        raise ValueError(f'unknown dataset {dataset!r}; expected one of '
                         f'{sorted(PAPER_REGIMES)}')
    if pool not in ('train', 'aug') or (dataset != 'voc' and pool != 'train'):
        raise ValueError(f"pool {pool!r} is not a labeled pool of {dataset}; "
                         "use 'train'" +
                         (" or 'aug'" if dataset == 'voc' else ''))
    unl = 'aug' if dataset == 'voc' else 'train'
    tag = 'aug-' if pool == 'aug' else ''
    out = [
        Regime(f'{tag}{int(n)}', dataset, pool, unl, int(n))
        for n in num_labeled
    ]
    for fr in fractions:
        f = parse_fraction(fr)
        out.append(
            Regime(tag + _fraction_name(f), dataset, pool, unl, fraction=f))
    return out


def read_list(path: str) -> List[str]:
    """Non-empty stripped lines of a list file."""
    with open(path) as f:
        return [ln.strip() for ln in f if ln.strip()]


def list_pool(data_root: str,
              dataset: str,
              pool: str,
              check_labels: bool = True) -> List[str]:
    """Sorted stems of a pool (relative to its image folder).

    Cityscapes pools are found by scanning ``leftImg8bit/<pool>``, ADE20K
    and COCO ones by scanning ``images/training`` / ``train2017`` for
    ``*.jpg``; VOC pools are read from
    ``ImageSets/Segmentation/{train,aug}.txt``. With ``check_labels`` every
    stem of a labeled pool must have its label file.
    """
    key = (dataset, pool)
    if key not in POOL_PREFIXES:
        raise ValueError(f'unknown pool {pool!r} for dataset {dataset!r}')
    pref = POOL_PREFIXES[key]
    if dataset == 'cityscapes':
        img_dir = osp.join(data_root, pref['img_path'])
        if not osp.isdir(img_dir):
            raise FileNotFoundError(
                f"Cityscapes '{pool}' image folder {img_dir} does not exist")
        sfx = '_leftImg8bit.png'
        stems = sorted(
            osp.relpath(p, img_dir)[:-len(sfx)].replace(os.sep, '/')
            for p in glob.glob(osp.join(img_dir, '*', '*' + sfx)))
        lab_sfx = '_gtFine_labelTrainIds.png'
    elif key in _SCANNED_POOLS:
        img_dir = osp.join(data_root, pref['img_path'])
        if not osp.isdir(img_dir):
            raise FileNotFoundError(
                f"{dataset} '{pool}' image folder {img_dir} does not exist")
        sfx, lab_sfx = _SCANNED_POOLS[key]
        with os.scandir(img_dir) as it:
            stems = sorted(e.name[:-len(sfx)] for e in it
                           if e.name.endswith(sfx) and e.is_file())
    else:
        lst = osp.join(data_root, 'ImageSets', 'Segmentation', f'{pool}.txt')
        if not osp.isfile(lst):
            hint = (' (make it with mmseg tools/dataset_converters/voc_aug.py)'
                    if pool == 'aug' else '')
            raise FileNotFoundError(f'VOC list {lst} does not exist{hint}')
        stems = sorted(set(read_list(lst)))
        lab_sfx = '.png'
    if not stems:
        raise ValueError(f"the '{pool}' pool of {dataset} under {data_root} "
                         'is empty')
    if check_labels and 'seg_map_path' in pref:
        seg_dir = osp.join(data_root, pref['seg_map_path'])
        missing = [
            s for s in stems if not osp.isfile(osp.join(seg_dir, s + lab_sfx))
        ]
        if missing:
            hint = (' (Cityscapes: create *_labelTrainIds.png with mmseg '
                    'tools/dataset_converters/cityscapes.py)'
                    if dataset == 'cityscapes' else '')
            raise FileNotFoundError(
                f'{len(missing)} of {len(stems)} label files missing under '
                f'{seg_dir}, e.g. {missing[0] + lab_sfx}{hint}')
    return stems


def split_pool(pool: Sequence[str], num_labeled: int,
               seed: int) -> Tuple[List[str], List[str]]:
    """Seeded draw of ``num_labeled`` stems -> sorted (labeled, rest)."""
    pool = sorted(pool)
    if len(set(pool)) != len(pool):
        raise ValueError('pool contains duplicate entries')
    if not 0 <= num_labeled <= len(pool):
        raise ValueError(f'requested {num_labeled} labeled samples but the '
                         f'pool has only {len(pool)} available')
    perm = np.random.default_rng(int(seed)).permutation(len(pool))
    lab = set(perm[:num_labeled].tolist())
    labeled = [s for i, s in enumerate(pool) if i in lab]
    rest = [s for i, s in enumerate(pool) if i not in lab]
    return labeled, rest


def make_split(regime: Regime, pools: Dict[str, List[str]],
               seed: int) -> Tuple[List[str], List[str]]:
    """(labeled, unlabeled) stems of one split of ``regime``."""
    lab_pool = pools[regime.labeled_pool]
    n = regime.count(len(lab_pool))
    labeled, _ = split_pool(lab_pool, n, seed)
    taken = set() if regime.unlabeled_keeps_labeled else set(labeled)
    unlabeled = sorted(
        s for s in set(pools[regime.unlabeled_pool]) if s not in taken)
    return labeled, unlabeled


def _write_list(path: str, stems: List[str]) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(''.join(s + '\n' for s in stems))


def write_splits(data_root: str,
                 dataset: str,
                 regimes: Optional[Sequence[Regime]] = None,
                 num_splits: int = 4,
                 seed: int = 0,
                 out_dir: Optional[str] = None,
                 check_labels: bool = True) -> Dict[str, List[dict]]:
    """Write ``num_splits`` splits of every regime.

    Args:
        data_root: dataset root (``data/cityscapes``,
            ``data/VOCdevkit/VOC2012``, ``data/ade/ADEChallengeData2016``
            or ``data/coco``).
        dataset: ``'cityscapes'``, ``'voc'``, ``'ade20k'`` or ``'coco'``.
        regimes: defaults to ``PAPER_REGIMES[dataset]``.
        num_splits: splits per regime; split ``k`` uses seed ``seed + k``.
        out_dir: defaults to ``<data_root>/splits``.

    Returns:
        regime name -> per split ``dict(labeled=path, unlabeled=path,
        num_labeled=int, num_unlabeled=int)``.

    Raises:
        ValueError: a regime asks for more labeled samples than its pool
            holds (checked for all regimes before anything is written).
    """
    if num_splits < 1:
        raise ValueError(f'num_splits must be >= 1, got {num_splits}')
    regimes = list(PAPER_REGIMES[dataset] if regimes is None else regimes)
    names = [r.name for r in regimes]
    if len(set(names)) != len(names):
        raise ValueError(f'duplicate regime names in {names}')
    out_dir = out_dir or osp.join(data_root, 'splits')
    pools = {}
    for r in regimes:
        if r.dataset != dataset:
            raise ValueError(f"regime '{r.name}' is for {r.dataset}, "
                             f'not {dataset}')
        for p in (r.labeled_pool, r.unlabeled_pool):
            if p not in pools:
                pools[p] = list_pool(data_root, dataset, p, check_labels
                                     and p == r.labeled_pool)
    for r in regimes:  # fail before writing anything
        r.count(len(pools[r.labeled_pool]))
    result = {}
    for r in regimes:
        rows = []
        for k in range(num_splits):
            labeled, unlabeled = make_split(r, pools, seed + k)
            d = osp.join(out_dir, r.name, f'split{k}')
            lp, up = osp.join(d, 'labeled.txt'), osp.join(d, 'unlabeled.txt')
            _write_list(lp, labeled)
            _write_list(up, unlabeled)
            rows.append(
                dict(
                    labeled=lp,
                    unlabeled=up,
                    num_labeled=len(labeled),
                    num_unlabeled=len(unlabeled)))
        info = dict(
            asdict(r),
            num_splits=num_splits,
            seeds=[seed + k for k in range(num_splits)],
            num_labeled_resolved=rows[0]['num_labeled'],
            num_unlabeled=rows[0]['num_unlabeled'],
            labeled_prefix=POOL_PREFIXES[(dataset, r.labeled_pool)],
            unlabeled_prefix=dict(
                img_path=POOL_PREFIXES[(dataset,
                                        r.unlabeled_pool)]['img_path']))
        with open(osp.join(out_dir, r.name, 'regime.json'), 'w') as f:
            json.dump(info, f, indent=1)
            f.write('\n')
        result[r.name] = rows
    return result
