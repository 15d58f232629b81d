"""Per-task labeled subsets for the multi-task low-data settings (figure 1).

The multi-task paper (section 4.1) simulates partial labels on the 2975
Cityscapes ``train`` images, one labeled subset per task:

* ``a``: every image labeled for detection, ``N`` for segmentation
  (table 1, N = 93 ... 2975);
* ``b``: the same ``N`` images labeled for both tasks (table 2);
* ``c``: ``N`` for each task, drawn independently (random overlap;
  table 2 reports overlaps 4 / 18 / 45 / 180 / 753);
* ``d``: ``S`` for segmentation inside ``D`` for detection (table 3);
* ``e``: ``S`` and ``D`` drawn independently (table 3, overlaps 11 ... 184).

Regime names: ``a-<N>``, ``b-<N>``, ``c-<N>``, ``d-<S>-<D>``, ``e-<S>-<D>``.
Split ``k`` uses seed ``seed + k``. The segmentation subset is always the
first ``S`` images of the seeded permutation that the single-task splits
use (:func:`mmssl.datasets.splits.split_pool`), so for one ``k`` it equals
the single-task labeled set of that size and smaller sets nest in larger
ones. The detection subset is the first ``D`` images of the same
permutation for ``b`` and ``d`` (hence ``seg`` inside ``det``), and of an
independent permutation (seed ``[seed + k, 1]``) for ``c`` and ``e``;
``a`` labels the whole pool. Files, one sample stem per line, sorted::

    <out>/<regime>/split<k>/seg_labeled.txt   # MultiTaskDataset seg_split
    <out>/<regime>/split<k>/det_labeled.txt   # MultiTaskDataset det_split
    <out>/<regime>/regime.json                # sizes, overlap per split
"""
import json
import os.path as osp
from dataclasses import asdict, dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .splits import CITYSCAPES_TRAIN_SIZE, _write_list, list_pool

SETTINGS = ('a', 'b', 'c', 'd', 'e')
_PAPER_N = (93, 186, 372, 744, 1488)
#: (segmentation, detection) sizes of table 3.
PAPER_DIFFERENT_SIZES = ((93, 372), (93, 744), (93, 1488), (186, 744),
                         (186, 1488), (372, 1488))


@dataclass(frozen=True)
class MultiTaskRegime:
    """One setting with its sizes; ``num_det=None`` means the whole pool
    (setting ``a``) or the segmentation size (``b``, ``c``)."""
    setting: str
    num_seg: int
    num_det: Optional[int] = None

    def __post_init__(self):
        if self.setting not in SETTINGS:
            raise ValueError(f'unknown multi-task setting {self.setting!r}; '
                             f'expected one of {SETTINGS}')
        if self.setting in ('d', 'e') and self.num_det is None:
            raise ValueError(f'setting {self.setting!r} needs both sizes '
                             '(segmentation and detection)')
        if self.setting in ('a', 'b', 'c') and self.num_det is not None:
            raise ValueError(
                f'setting {self.setting!r} takes one size (got detection '
                f'size {self.num_det}); use d or e for different sizes')
        if self.setting == 'd' and self.num_seg > self.num_det:
            raise ValueError(
                f'setting d puts the segmentation subset inside the '
                f'detection one: segmentation size {self.num_seg} > '
                f'detection size {self.num_det}')

    @property
    def name(self) -> str:
        if self.num_det is None:
            return f'{self.setting}-{self.num_seg}'
        return f'{self.setting}-{self.num_seg}-{self.num_det}'

    def sizes(self, pool_size: int) -> Tuple[int, int]:
        """(segmentation, detection) subset sizes for a pool."""
        det = {
            'a': pool_size,
            'b': self.num_seg,
            'c': self.num_seg
        }.get(self.setting, self.num_det)
        for what, n in (('segmentation', self.num_seg), ('detection', det)):
            if not 1 <= n <= pool_size:
                raise ValueError(
                    f"regime '{self.name}' asks for {n} images labeled for "
                    f'{what}, but the pool has {pool_size} (need 1..'
                    f'{pool_size})')
        return self.num_seg, det


def paper_multitask_regimes() -> List[MultiTaskRegime]:
    """Every regime of tables 1-3."""
    out = [
        MultiTaskRegime('a', n) for n in _PAPER_N + (CITYSCAPES_TRAIN_SIZE, )
    ]
    out += [MultiTaskRegime(s, n) for s in 'bc' for n in _PAPER_N]
    out += [
        MultiTaskRegime(s, a, b) for s in 'de'
        for a, b in PAPER_DIFFERENT_SIZES
    ]
    return out


def parse_regime(text: str) -> MultiTaskRegime:
    """``'a-93'``, ``'d-93-372'`` -> :class:`MultiTaskRegime`."""
    parts = str(text).split('-')
    try:
        nums = [int(p) for p in parts[1:]]
    except ValueError:
        nums = None
    if not nums or len(nums) > 2 or parts[0] not in SETTINGS:
        raise ValueError(f'cannot parse multi-task regime {text!r}; expected '
                         '<setting>-<N> (a, b, c) or <setting>-<S>-<D> '
                         '(d, e), e.g. a-93 or d-93-372')
    return MultiTaskRegime(parts[0], *nums)


def _permutation(n: int, seed) -> np.ndarray:
    return np.random.default_rng(seed).permutation(n)


def make_multitask_split(regime: MultiTaskRegime, pool: Sequence[str],
                         seed: int) -> Tuple[List[str], List[str]]:
    """Sorted (segmentation-labeled, detection-labeled) stems."""
    pool = sorted(pool)
    if len(set(pool)) != len(pool):
        raise ValueError('pool contains duplicate entries')
    n_seg, n_det = regime.sizes(len(pool))
    perm = _permutation(len(pool), int(seed))
    det_perm = perm if regime.setting in ('a', 'b', 'd') else _permutation(
        len(pool), [int(seed), 1])
    seg = sorted(pool[i] for i in perm[:n_seg])
    det = sorted(pool[i] for i in det_perm[:n_det])
    return seg, det


def write_multitask_splits(data_root: str,
                           regimes: Optional[Sequence] = None,
                           num_splits: int = 4,
                           seed: int = 0,
                           out_dir: Optional[str] = None,
                           pool: Optional[Sequence[str]] = None,
                           check_labels: bool = True) -> Dict[str, List[dict]]:
    """Write ``num_splits`` splits of every regime (Cityscapes ``train``).

    Args:
        data_root: Cityscapes root; the pool is ``leftImg8bit/train``
            (stems such as ``aachen/aachen_000000_000019``) unless ``pool``
            is given.
        regimes: :class:`MultiTaskRegime` or names (``'d-93-372'``);
            defaults to :func:`paper_multitask_regimes`.
        out_dir: defaults to ``<data_root>/splits/multitask``.

    Returns:
        regime name -> per split ``dict(seg=path, det=path, num_seg,
        num_det, overlap)``. All regimes are checked before writing.
    """
    if num_splits < 1:
        raise ValueError(f'num_splits must be >= 1, got {num_splits}')
    regimes = [
        r if isinstance(r, MultiTaskRegime) else parse_regime(r)
        for r in (paper_multitask_regimes() if regimes is None else regimes)
    ]
    names = [r.name for r in regimes]
    if len(set(names)) != len(names):
        raise ValueError(f'duplicate regimes in {names}')
    if pool is None:
        pool = list_pool(data_root, 'cityscapes', 'train', check_labels)
    for r in regimes:
        r.sizes(len(pool))
    out_dir = out_dir or osp.join(data_root, 'splits', 'multitask')
    result = {}
    for r in regimes:
        rows = []
        for k in range(num_splits):
            seg, det = make_multitask_split(r, pool, seed + k)
            d = osp.join(out_dir, r.name, f'split{k}')
            sp, dp = osp.join(d, 'seg_labeled.txt'), osp.join(
                d, 'det_labeled.txt')
            _write_list(sp, seg)
            _write_list(dp, det)
            rows.append(
                dict(
                    seg=sp,
                    det=dp,
                    num_seg=len(seg),
                    num_det=len(det),
                    overlap=len(set(seg) & set(det))))
        info = dict(
            asdict(r),
            name=r.name,
            pool_size=len(pool),
            num_splits=num_splits,
            seeds=[seed + k for k in range(num_splits)],
            splits=[{k: v
                     for k, v in row.items() if k.startswith(('num', 'ov'))}
                    for row in rows])
        with open(osp.join(out_dir, r.name, 'regime.json'), 'w') as f:
            json.dump(info, f, indent=1)
            f.write('\n')
        result[r.name] = rows
    return result
