"""Cityscapes / Pascal VOC / ADE20K datasets that fail early with clear
messages.

``SemiCityscapesDataset``, ``SemiPascalVOCDataset`` and
``SemiADE20KDataset`` take exactly the arguments of mmseg's
``CityscapesDataset`` / ``PascalVOCDataset`` / ``ADE20KDataset`` and build
the same data list, but validate it when the dataset is initialised, so a
bad split or a missing file is reported before training starts instead of
as an obscure error deep inside a dataloader worker:

* ``ann_file`` given but missing -> ``FileNotFoundError`` naming it;
* empty ``ann_file`` (no non-blank line) -> ``ValueError`` saying so;
* a malformed line (file suffix, whitespace inside the stem, absolute path,
  duplicate stem) -> ``ValueError`` with ``file:line``, the offending line and
  what was expected (one stem per line, relative to ``img_path``, no suffix);
  blank lines are skipped;
* an image, or a label when ``seg_map_path`` is set, that does not exist ->
  ``FileNotFoundError`` with the number missing and the first few paths
  (every entry is checked; ``check_files=False`` turns this off, e.g. for
  slow remote storage);
* no ``ann_file`` and no image under ``img_path`` -> ``FileNotFoundError`` /
  ``ValueError`` naming the folder and the suffix searched for.

Unlabeled sets: ``data_prefix`` may leave out ``seg_map_path`` or set it to
``None`` (the stock classes raise a ``TypeError`` on ``None``); entries then
have no ``seg_map_path`` and the pipeline should use ``LoadEmptySegMap``.

Each entry also carries ``num_classes`` (from the metainfo) so that
``LoadCheckedAnnotations`` can range-check labels without being told.
"""
import os.path as osp
import re
from typing import List

import mmengine
import mmengine.fileio as fileio

from mmseg.datasets import (ADE20KDataset, CityscapesDataset,
                            PascalVOCDataset)
from mmseg.registry import DATASETS

_IMAGE_EXTS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp',
               '.gif', '.ppm', '.pgm', '.txt', '.json', '.mat')
_MAX_REPORTED = 5


class CheckedSegDatasetMixin:
    """Validation of split files and file existence for mmseg datasets.

    Mixed in before an mmseg ``BaseSegDataset`` subclass.
    """

    example_stem = 'name'
    example_ann_file = 'splits/train.txt'
    requires_ann_file = False

    def __init__(self, *args, check_files: bool = True, **kwargs):
        self.check_files = check_files
        prefix = kwargs.get('data_prefix')
        if prefix is not None:
            kwargs['data_prefix'] = {
                k: v
                for k, v in dict(prefix).items() if v is not None
            }
        super().__init__(*args, **kwargs)

    # --------------------------------------------------------------- lines
    def _suffix_reason(self, stem: str):
        base = stem.rsplit('/', 1)[-1]
        ext = osp.splitext(base)[1].lower()
        if ext in _IMAGE_EXTS:
            return f'it has a file suffix ({ext!r})'
        for sfx in (self.img_suffix, self.seg_map_suffix):
            core = osp.splitext(sfx)[0]
            if core and base.endswith(core):
                return (f'it ends with {core!r}, which the dataset appends '
                        f'itself (suffix {sfx!r})')
        return None

    def _read_stems(self, ann_file: str, img_dir: str) -> List[str]:
        name = type(self).__name__
        if not fileio.exists(ann_file, backend_args=self.backend_args):
            raise FileNotFoundError(
                f'{name}: ann_file {ann_file} does not exist')
        lines = mmengine.list_from_file(
            ann_file, backend_args=self.backend_args)
        expected = (f'expected one image stem per line, relative to '
                    f'img_path {img_dir!r}, without file suffix '
                    f'(e.g. {self.example_stem!r})')
        stems, seen = [], {}
        for lineno, raw in enumerate(lines, 1):
            stem = raw.strip()
            if not stem:
                continue
            reason = None
            if re.search(r'\s', stem):
                reason = 'it contains whitespace'
            elif stem.startswith(
                ('/', '\\', '~')) or re.match(r'^[A-Za-z]:[\\/]', stem):
                reason = 'it is an absolute path'
            elif stem in seen:
                reason = f'it duplicates line {seen[stem]}'
            else:
                reason = self._suffix_reason(stem)
            if reason is not None:
                raise ValueError(f'{ann_file}:{lineno}: malformed line '
                                 f'{raw!r}: {reason}; {expected}')
            seen[stem] = lineno
            stems.append(stem)
        if not stems:
            raise ValueError(f'{name}: split file {ann_file} is empty (no '
                             f'image stems); {expected}')
        return stems

    # ----------------------------------------------------------- data list
    def load_data_list(self) -> List[dict]:
        name = type(self).__name__
        img_dir = self.data_prefix.get('img_path', None)
        ann_dir = self.data_prefix.get('seg_map_path', None)
        if img_dir is None:
            raise ValueError(f"{name}: data_prefix needs 'img_path'")
        ann_file = self.ann_file
        if self.requires_ann_file and not ann_file:
            raise ValueError(f'{name}: ann_file is required (a split list '
                             f'such as {self.example_ann_file!r})')
        if ann_file and not osp.isdir(ann_file):
            stems = self._read_stems(ann_file, img_dir)
            source = f'ann_file {ann_file}'
        else:
            if not fileio.isdir(img_dir, backend_args=self.backend_args):
                raise FileNotFoundError(
                    f'{name}: image folder {img_dir} does not exist '
                    '(and no ann_file was given)')
            n = len(self.img_suffix)
            stems = sorted(p[:-n] for p in fileio.list_dir_or_file(
                img_dir,
                list_dir=False,
                suffix=self.img_suffix,
                recursive=True,
                backend_args=self.backend_args))
            if not stems:
                raise ValueError(
                    f'{name}: found no images ending with '
                    f'{self.img_suffix!r} under {img_dir} (and no ann_file '
                    'was given)')
            source = f'image folder {img_dir}'
        classes = self.metainfo.get('classes')
        data_list = []
        for stem in stems:
            info = dict(img_path=osp.join(img_dir, stem + self.img_suffix))
            if ann_dir is not None:
                info['seg_map_path'] = osp.join(ann_dir,
                                                stem + self.seg_map_suffix)
            info['label_map'] = self.label_map
            info['reduce_zero_label'] = self.reduce_zero_label
            info['seg_fields'] = []
            if classes is not None:
                info['num_classes'] = len(classes)
            data_list.append(info)
        if self.check_files:
            self._check_exist(data_list, source)
        return data_list

    def _exists(self, path: str) -> bool:
        backend = (self.backend_args or {}).get('backend', 'local')
        if backend == 'local':
            return osp.isfile(path)
        return fileio.exists(path, backend_args=self.backend_args)

    def _check_exist(self, data_list: List[dict], source: str) -> None:
        missing = []
        for info in data_list:
            for key in ('img_path', 'seg_map_path'):
                if key in info and not self._exists(info[key]):
                    missing.append(info[key])
        if missing:
            shown = '\n  '.join(missing[:_MAX_REPORTED])
            more = (f'\n  ... and {len(missing) - _MAX_REPORTED} more'
                    if len(missing) > _MAX_REPORTED else '')
            raise FileNotFoundError(
                f'{type(self).__name__}: {len(missing)} file(s) listed by '
                f'{source} ({len(data_list)} samples) do not exist:\n  '
                f'{shown}{more}')


@DATASETS.register_module()
class SemiCityscapesDataset(CheckedSegDatasetMixin, CityscapesDataset):
    """``CityscapesDataset`` with early, explicit data checks.

    Also accepts ``check_files`` (default True) and a ``data_prefix``
    without ``seg_map_path`` (unlabeled sets such as ``train_extra``).
    """
    example_stem = 'aachen/aachen_000000_000019'
    example_ann_file = 'splits/1-8/split0/labeled.txt'


@DATASETS.register_module()
class SemiPascalVOCDataset(CheckedSegDatasetMixin, PascalVOCDataset):
    """``PascalVOCDataset`` with early, explicit data checks.

    Also accepts ``check_files`` (default True) and a ``data_prefix``
    without ``seg_map_path`` (unlabeled sets such as the aug images).
    """
    example_stem = '2007_000032'
    example_ann_file = 'ImageSets/Segmentation/train.txt'
    requires_ann_file = True  # like PascalVOCDataset


@DATASETS.register_module()
class SemiADE20KDataset(CheckedSegDatasetMixin, ADE20KDataset):
    """``ADE20KDataset`` with early, explicit data checks.

    mmseg's default ``reduce_zero_label=True`` reads the raw
    ADEChallengeData2016 annotations (0 = other, 1..150); UniMatch V2's
    preprocessed annotations are used as they are with 150 classes and
    ignore index 255 (its dataset/semi.py:38, configs/ade20k.yaml), i.e.
    already 0..149 + 255, and need ``reduce_zero_label=False``.
    """
    example_stem = 'ADE_train_00000001'
    example_ann_file = 'splits/1-64/split0/labeled.txt'
