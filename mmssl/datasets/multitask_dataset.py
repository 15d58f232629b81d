"""Images, semantic label maps and boxes in one dataset, labeled per task.

Multi-task learning on partially labeled data needs, per sample, the image,
whatever labels exist for each task, and a flag per task saying whether the
sample is labeled for it. :class:`MultiTaskDataset` reads the annotation
files written by :mod:`mmssl.datasets.converters` (COCO JSON with
``seg_file`` / ``det_labeled`` per image, see
:mod:`~mmssl.datasets.converters.coco_multitask`) and optional per-task
split files (``tools/make_splits.py --multitask``) that simulate partial
labels: a sample absent from a task's split is unlabeled for that task.

Each data_info holds:

* ``img_path``, ``img_id`` (the COCO image id), ``width``, ``height``,
  ``stem`` (``file_name`` without ``img_suffix``: the split-file key);
* ``instances``: mmdet's format, ``[dict(bbox=[x1, y1, x2, y2],
  bbox_label=i, ignore_flag=0/1), ...]`` (``bbox_label`` indexes
  ``metainfo['thing_classes']``; crowd boxes have ``ignore_flag=1``), read
  by mmdet ``LoadAnnotations(with_bbox=True)``; empty when the sample is not
  labeled for detection;
* ``seg_map_path`` (only when labeled for segmentation), ``reduce_zero_label``
  (False), ``label_map`` (None), ``seg_fields`` ([]), ``num_classes``: what
  mmseg ``LoadAnnotations`` / ``LoadCheckedAnnotations`` read;
* ``seg_labeled``, ``det_labeled`` (bool) and ``is_labeled`` (labeled for at
  least one task, the paper's definition for explicit sampling).

With ``keep_unlabeled_annotations=True`` the labels of a sample that is
unlabeled for a task by the split are kept (flags unchanged), e.g. to
evaluate on them. ``subset`` keeps only some samples: ``'all'``, ``'any'``
(labeled for >= 1 task), ``'both'``, ``'none'``, ``'seg'``, ``'det'``,
``'not_seg'``, ``'not_det'``, ``'not_both'`` (the labeled / unlabeled parts
for explicit sampling, or the fully-labeled supervised baseline).

Metainfo: ``classes`` / ``palette`` (19 Cityscapes classes, also used by
BDD100K) for segmentation and ``thing_classes`` for detection.
"""
import os.path as osp
import re
from typing import Callable, Dict, List, Optional

from mmengine.dataset import BaseDataset

from mmseg.datasets import CityscapesDataset
from mmseg.registry import DATASETS
from .converters.bdd100k import BDD100K_DET_CLASSES
from .converters.cityscapes_boxes import (CITYSCAPES_SEG_CLASSES,
                                          CITYSCAPES_THING_CLASSES)
from .converters.coco_multitask import read_json

_MAX_REPORTED = 5
SUBSETS: Dict[str, Callable[[dict], bool]] = {
    'all': lambda d: True,
    'any': lambda d: d['seg_labeled'] or d['det_labeled'],
    'both': lambda d: d['seg_labeled'] and d['det_labeled'],
    'none': lambda d: not (d['seg_labeled'] or d['det_labeled']),
    'seg': lambda d: d['seg_labeled'],
    'det': lambda d: d['det_labeled'],
    'not_seg': lambda d: not d['seg_labeled'],
    'not_det': lambda d: not d['det_labeled'],
    'not_both': lambda d: not (d['seg_labeled'] and d['det_labeled']),
}


def read_task_split(path: str, img_suffix: str) -> List[str]:
    """Stems of a per-task split file (one per line, blank lines skipped);
    ``ValueError`` with ``file:line`` for a malformed line."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'split file {path} does not exist')
    stems, seen = [], {}
    with open(path) as f:
        for lineno, raw in enumerate(f, 1):
            s = raw.strip()
            if not s:
                continue
            reason = None
            if re.search(r'\s', s):
                reason = 'it contains whitespace'
            elif s in seen:
                reason = f'it duplicates line {seen[s]}'
            elif img_suffix and s.endswith(img_suffix):
                reason = f'it ends with the image suffix {img_suffix!r}'
            if reason:
                raise ValueError(
                    f'{path}:{lineno}: malformed line {raw.rstrip()!r}: '
                    f'{reason}; expected one sample stem per line (the '
                    f'annotation file_name without {img_suffix!r})')
            seen[s] = lineno
            stems.append(s)
    return stems


@DATASETS.register_module()
class MultiTaskDataset(BaseDataset):
    """Segmentation + detection dataset with per-task labeled flags.

    Args:
        ann_file (str): multi-task annotation JSON (relative to
            ``data_root``).
        data_prefix (dict): ``img_path`` (prefix of ``file_name``) and
            ``seg_map_path`` (prefix of ``seg_file``).
        seg_split, det_split (str, optional): per-task split files (relative
            to ``data_root``); None = every sample with that task's label.
        subset (str): which samples to keep (module docstring).
        img_suffix (str): removed from ``file_name`` to get the stem.
        keep_unlabeled_annotations (bool): keep labels the splits hide.
        check_files (bool): check that every image / label file exists.
        **kwargs: mmengine ``BaseDataset`` arguments (``data_root``,
            ``metainfo``, ``pipeline``, ``test_mode``, ``lazy_init``, ...).
    """
    METAINFO = dict(
        classes=CITYSCAPES_SEG_CLASSES,
        palette=CityscapesDataset.METAINFO['palette'],
        thing_classes=CITYSCAPES_THING_CLASSES)
    default_img_suffix = ''

    def __init__(self,
                 ann_file: str,
                 data_prefix: dict = dict(img_path='', seg_map_path=''),
                 seg_split: Optional[str] = None,
                 det_split: Optional[str] = None,
                 subset: str = 'all',
                 img_suffix: Optional[str] = None,
                 keep_unlabeled_annotations: bool = False,
                 check_files: bool = True,
                 **kwargs) -> None:
        if subset not in SUBSETS:
            raise ValueError(f'{type(self).__name__}: subset={subset!r}; '
                             f'expected one of {list(SUBSETS)}')
        if not ann_file:
            raise ValueError(f'{type(self).__name__}: ann_file is required '
                             '(a multi-task annotation JSON from '
                             'tools/convert_cityscapes_boxes.py or '
                             'tools/convert_bdd100k.py)')
        self.subset = subset
        self.img_suffix = (self.default_img_suffix
                           if img_suffix is None else img_suffix)
        self.keep_unlabeled_annotations = keep_unlabeled_annotations
        self.check_files = check_files
        root = kwargs.get('data_root') or ''
        self.seg_split, self.det_split = (
            None if p is None else osp.join(root, p)
            for p in (seg_split, det_split))
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)

    # ------------------------------------------------------------ loading
    def _label_of_category(self, ann: dict) -> Dict[int, int]:
        cats = ann.get('categories')
        if not isinstance(cats, list) or not all(
                isinstance(c, dict) and 'id' in c and 'name' in c
                for c in cats):
            raise ValueError(f'{self.ann_file}: "categories" must be a list '
                             'of {"id", "name"}')
        by_name = {c['name']: c['id'] for c in cats}
        thing = list(self.metainfo['thing_classes'])
        missing = [t for t in thing if t not in by_name]
        if missing:
            raise ValueError(
                f'{type(self).__name__}: thing_classes {missing} are not '
                f'categories of {self.ann_file} ({sorted(by_name)}); was it '
                'converted for another dataset?')
        seg = ann.get('seg_classes')
        if seg is not None and list(seg) != list(self.metainfo['classes']):
            raise ValueError(
                f'{type(self).__name__}: {self.ann_file} has seg_classes '
                f'{list(seg)}, but the dataset metainfo classes are '
                f'{list(self.metainfo["classes"])}')
        return {by_name[t]: i for i, t in enumerate(thing)}

    def _split_set(self, path: Optional[str], stems: set) -> Optional[set]:
        if path is None:
            return None
        listed = read_task_split(path, self.img_suffix)
        unknown = [s for s in listed if s not in stems]
        if unknown:
            raise ValueError(
                f'split file {path}: {len(unknown)} of {len(listed)} stems '
                f'are not samples of {self.ann_file}, e.g. '
                f'{unknown[:_MAX_REPORTED]} (stems are file_name without '
                f'img_suffix {self.img_suffix!r})')
        return set(listed)

    def load_data_list(self) -> List[dict]:
        name = type(self).__name__
        ann = read_json(self.ann_file, f'{name} annotation file')
        if not isinstance(ann, dict) or not isinstance(
                ann.get('images'), list):
            raise ValueError(
                f'{self.ann_file} is not a multi-task annotation file: '
                'expected a COCO-style object with "images", "categories" '
                'and "annotations" (tools/convert_cityscapes_boxes.py, '
                'tools/convert_bdd100k.py)')
        label_of = self._label_of_category(ann)
        images = ann['images']
        ids = set()
        stems = []
        for im in images:
            fn = im.get('file_name') if isinstance(im, dict) else None
            if not isinstance(fn, str) or 'id' not in im:
                raise ValueError(f'{self.ann_file}: image entry {im!r} needs '
                                 '"id" and "file_name"')
            if im['id'] in ids:
                raise ValueError(
                    f'{self.ann_file}: duplicate image id {im["id"]}')
            ids.add(im['id'])
            if not fn.endswith(self.img_suffix):
                raise ValueError(
                    f'{self.ann_file}: file_name {fn!r} does not end with '
                    f'img_suffix {self.img_suffix!r}; set img_suffix')
            stems.append(fn[:len(fn) - len(self.img_suffix)])
        boxes = {i: [] for i in ids}
        for a in ann.get('annotations') or []:
            if a.get('image_id') not in boxes:
                raise ValueError(f'{self.ann_file}: annotation {a.get("id")} '
                                 f'refers to unknown image {a.get("image_id")}')
            boxes[a['image_id']].append(a)
        stem_set = set(stems)
        seg_set = self._split_set(self.seg_split, stem_set)
        det_set = self._split_set(self.det_split, stem_set)
        img_dir = self.data_prefix.get('img_path', '')
        seg_dir = self.data_prefix.get('seg_map_path', '')
        num_classes = len(self.metainfo['classes'])
        data_list = []
        for im, stem in zip(images, stems):
            has_seg = 'seg_file' in im
            has_det = bool(im.get('det_labeled', True))
            for split, tset, has, what in ((self.seg_split, seg_set, has_seg,
                                            'segmentation'),
                                           (self.det_split, det_set, has_det,
                                            'detection')):
                if tset is not None and stem in tset and not has:
                    raise ValueError(
                        f'split file {split} lists {stem!r}, which has no '
                        f'{what} label in {self.ann_file}')
            seg_labeled = has_seg and (seg_set is None or stem in seg_set)
            det_labeled = has_det and (det_set is None or stem in det_set)
            instances = []
            if det_labeled or (has_det and self.keep_unlabeled_annotations):
                for a in boxes[im['id']]:
                    if a['category_id'] not in label_of:
                        continue
                    x, y, w, h = a['bbox']
                    if w <= 0 or h <= 0:
                        continue
                    instances.append(
                        dict(
                            bbox=[x, y, x + w, y + h],
                            bbox_label=label_of[a['category_id']],
                            ignore_flag=int(bool(a.get('iscrowd', 0)))))
            info = dict(
                img_path=osp.join(img_dir, im['file_name']),
                img_id=im['id'],
                width=im.get('width'),
                height=im.get('height'),
                stem=stem,
                instances=instances,
                seg_labeled=seg_labeled,
                det_labeled=det_labeled,
                is_labeled=seg_labeled or det_labeled,
                reduce_zero_label=False,
                label_map=None,
                seg_fields=[],
                num_classes=num_classes)
            if seg_labeled or (has_seg and self.keep_unlabeled_annotations):
                info['seg_map_path'] = osp.join(seg_dir, im['seg_file'])
            data_list.append(info)
        if self.check_files:
            self._check_exist(data_list)
        return data_list

    def _check_exist(self, data_list: List[dict]) -> None:
        missing = [
            d[k] for d in data_list for k in ('img_path', 'seg_map_path')
            if k in d and not osp.isfile(d[k])
        ]
        if missing:
            shown = '\n  '.join(missing[:_MAX_REPORTED])
            raise FileNotFoundError(
                f'{type(self).__name__}: {len(missing)} file(s) listed by '
                f'{self.ann_file} do not exist (data_prefix '
                f'{self.data_prefix}):\n  {shown}')

    def filter_data(self) -> List[dict]:
        """Keep the samples of ``subset``."""
        keep = SUBSETS[self.subset]
        return [d for d in self.data_list if keep(d)]


@DATASETS.register_module()
class CityscapesMultiTaskDataset(MultiTaskDataset):
    """Cityscapes: 19 segmentation classes, 8 thing classes (boxes from the
    instance maps, ``tools/convert_cityscapes_boxes.py``); stems like
    ``aachen/aachen_000000_000019`` (the single-task split format)."""
    METAINFO = MultiTaskDataset.METAINFO
    default_img_suffix = '_leftImg8bit.png'

    def __init__(self,
                 ann_file: str = 'annotations/multitask_gtFine_train.json',
                 data_prefix: dict = dict(
                     img_path='leftImg8bit/train',
                     seg_map_path='gtFine/train'),
                 **kwargs) -> None:
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)


@DATASETS.register_module()
class BDD100KMultiTaskDataset(MultiTaskDataset):
    """BDD100K merged 100K detection + 10K segmentation sets
    (``tools/convert_bdd100k.py``): 19 segmentation classes, the 10
    detection benchmark classes; stems like ``100k/train/<name>``."""
    METAINFO = dict(
        classes=CITYSCAPES_SEG_CLASSES,
        palette=CityscapesDataset.METAINFO['palette'],
        thing_classes=BDD100K_DET_CLASSES)
    default_img_suffix = '.jpg'

    def __init__(self,
                 ann_file: str = 'multitask/train.json',
                 data_prefix: dict = dict(
                     img_path='images', seg_map_path='labels/sem_seg/masks'),
                 **kwargs) -> None:
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)
