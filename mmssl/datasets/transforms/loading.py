"""Loading transforms that report bad files clearly, and empty label maps.

* ``LoadCheckedImageFromFile``: mmcv ``LoadImageFromFile`` that raises
  ``ValueError`` naming the file when it is empty, truncated (PNG without
  ``IEND``, JPEG without an end-of-image marker after its last scan: decoders
  often return a half-grey image for those instead of failing) or cannot be
  decoded, and ``FileNotFoundError`` naming it when it is missing.
* ``LoadCheckedAnnotations``: mmseg ``LoadAnnotations`` (same decoding,
  ``reduce_zero_label`` and ``label_map`` handling) that also checks, after
  those, that the label is one channel, has the image's height and width,
  and holds only ``0..num_classes-1`` and ``ignore_index``. Sets
  ``results['is_labeled'] = True``.
* ``LoadEmptySegMap``: for unlabeled samples, a ``gt_seg_map`` full of
  :data:`UNLABELED_IN_VIEW` (inside the view, no class) with the image's
  size (``SegDataPreProcessor`` stacks a map for every sample), registered
  in ``seg_fields`` so that geometric transforms keep it aligned; sets
  ``results['is_labeled'] = False``.
"""
from typing import Optional

import mmcv
import mmengine.fileio as fileio
import numpy as np
from mmcv.transforms import BaseTransform, LoadImageFromFile

from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import TRANSFORMS

_PNG_SIG = b'\x89PNG\r\n\x1a\n'


def encoded_image_problem(data: bytes) -> Optional[str]:
    """Why ``data`` is not a complete PNG / JPEG file, or None if it looks
    complete (other formats are left to the decoder)."""
    if not data:
        return 'the file is empty'
    if data.startswith(_PNG_SIG):
        if data.rfind(b'IEND') < 0:
            return 'PNG data is truncated (no IEND chunk)'
    elif data.startswith(b'\xff\xd8'):
        if data.rfind(b'\xff\xd9') < data.rfind(b'\xff\xda'):
            return 'JPEG data is truncated (no end-of-image marker)'
    return None


def _read_bytes(path: str, backend_args, kind: str) -> bytes:
    try:
        return fileio.get(path, backend_args=backend_args)
    except FileNotFoundError as e:
        raise FileNotFoundError(f'{kind} file {path} does not exist') from e


def _decode(data: bytes, path: str, kind: str, **kwargs) -> np.ndarray:
    """Decode with mmcv; raise ValueError naming ``path`` on any failure."""
    problem = encoded_image_problem(data)
    img = None
    if problem is None:
        try:
            img = mmcv.imfrombytes(data, **kwargs)
        except Exception as e:  # decoders raise many different types
            problem = f'{type(e).__name__}: {e}'
        else:
            if img is None or img.size == 0:
                problem = 'the decoder returned no image'
    if problem is not None:
        raise ValueError(
            f'corrupt or undecodable {kind} file {path}: {problem}')
    return img


@TRANSFORMS.register_module()
class LoadCheckedImageFromFile(LoadImageFromFile):
    """``LoadImageFromFile`` that names the file when it is bad.

    Same arguments as mmcv's ``LoadImageFromFile``; with
    ``ignore_empty=True`` a missing or corrupt file returns None (as the
    parent does) instead of raising.
    """

    def transform(self, results: dict) -> Optional[dict]:
        filename = results['img_path']
        try:
            if self.file_client_args is not None:
                client = fileio.FileClient.infer_client(
                    self.file_client_args, filename)
                try:
                    data = client.get(filename)
                except FileNotFoundError as e:
                    raise FileNotFoundError(
                        f'image file {filename} does not exist') from e
            else:
                data = _read_bytes(filename, self.backend_args, 'image')
            img = _decode(
                data,
                filename,
                'image',
                flag=self.color_type,
                backend=self.imdecode_backend)
        except (FileNotFoundError, ValueError):
            if self.ignore_empty:
                return None
            raise
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results


@TRANSFORMS.register_module()
class LoadCheckedAnnotations(LoadAnnotations):
    """mmseg ``LoadAnnotations`` with checks on the loaded label map.

    Args:
        num_classes (int, optional): valid labels are ``0..num_classes-1``
            plus ``ignore_index``, checked after ``reduce_zero_label`` and
            ``label_map``. If None it is taken from ``results['num_classes']``
            (set by ``SemiCityscapesDataset`` / ``SemiPascalVOCDataset``) or
            ``results['metainfo']['classes']``; if neither is there, values
            are only checked to fit in uint8.
        ignore_index (int): the 'ignore' label. Defaults to 255.
        check_size (bool): require the label's H x W to equal the image's
            (needs the image loaded first). Defaults to True.
        **kwargs: ``reduce_zero_label``, ``backend_args``,
            ``imdecode_backend`` as in mmseg ``LoadAnnotations``.

    Raises:
        FileNotFoundError: the label file does not exist.
        ValueError: it is corrupt, not single-channel, the wrong size, or
            holds values outside the valid set (listed in the message).
    """

    def __init__(self,
                 num_classes: Optional[int] = None,
                 ignore_index: int = 255,
                 check_size: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.check_size = check_size

    def _num_classes(self, results: dict) -> Optional[int]:
        if self.num_classes is not None:
            return int(self.num_classes)
        if results.get('num_classes') is not None:
            return int(results['num_classes'])
        classes = (results.get('metainfo') or {}).get('classes')
        return None if classes is None else len(classes)

    def _load_seg_map(self, results: dict) -> None:
        path = results.get('seg_map_path')
        if path is None:
            raise ValueError(
                f"sample {results.get('img_path')} has no seg_map_path (an "
                'unlabeled sample?): use LoadEmptySegMap for unlabeled data')
        data = _read_bytes(path, self.backend_args, 'label')
        raw = _decode(
            data,
            path,
            'label',
            flag='unchanged',
            backend=self.imdecode_backend)
        if raw.ndim == 3 and raw.shape[2] == 1:
            raw = raw[..., 0]
        if raw.ndim != 2:
            raise ValueError(
                f'label file {path} has shape {raw.shape}; expected a '
                'single-channel H x W map of class indices (is it a colour '
                'visualisation?)')
        if raw.dtype != np.uint8:
            bad = np.unique(raw[(raw < 0) | (raw > 255)])
            if bad.size:
                raise ValueError(
                    f'label file {path} has values {_fmt(bad)} that do not '
                    'fit in uint8 (valid: class indices and ignore_index)')
        gt = raw.astype(np.uint8)

        # Same as mmseg LoadAnnotations (1.2.x) from here ...
        if self.reduce_zero_label is None:
            self.reduce_zero_label = results['reduce_zero_label']
        assert self.reduce_zero_label == results['reduce_zero_label'], \
            'Initialize dataset with `reduce_zero_label` as ' \
            f'{results["reduce_zero_label"]} but when load annotation ' \
            f'the `reduce_zero_label` is {self.reduce_zero_label}'
        if self.reduce_zero_label:
            gt[gt == 0] = 255
            gt = gt - 1
            gt[gt == 254] = 255
        if results.get('label_map', None) is not None:
            copy = gt.copy()
            for old_id, new_id in results['label_map'].items():
                gt[copy == old_id] = new_id
        # ... to here.

        if self.check_size:
            shape = results.get('ori_shape')
            if shape is None and results.get('img') is not None:
                shape = results['img'].shape[:2]
            if shape is not None and tuple(gt.shape) != tuple(shape[:2]):
                raise ValueError(
                    f'label file {path} is {gt.shape[0]}x{gt.shape[1]} '
                    f"(HxW) but image {results.get('img_path')} is "
                    f'{shape[0]}x{shape[1]}')
        n = self._num_classes(results)
        if n is not None:
            vals = np.unique(gt)
            bad = vals[(vals >= n) & (vals != self.ignore_index)]
            if bad.size:
                raise ValueError(
                    f'label file {path} has values {_fmt(bad)} outside the '
                    f'valid labels 0..{n - 1} and ignore_index '
                    f'{self.ignore_index} (checked after reduce_zero_label '
                    'and label_map)')
        results['gt_seg_map'] = gt
        results.setdefault('seg_fields', [])
        if 'gt_seg_map' not in results['seg_fields']:
            results['seg_fields'].append('gt_seg_map')
        results['is_labeled'] = True

    def __repr__(self) -> str:
        return (super().__repr__()[:-1] + f', num_classes={self.num_classes},'
                f' ignore_index={self.ignore_index}, '
                f'check_size={self.check_size})')


def _fmt(values: np.ndarray, limit: int = 12) -> str:
    vals = [int(v) for v in values[:limit]]
    more = f' ... ({values.size} distinct)' if values.size > limit else ''
    return f'{vals}{more}'


#: Label of an unlabeled sample's pixels that lie inside its view: not a
#: class and not ``ignore_index``. Geometric transforms fill what they add
#: with ``ignore_index`` and ``Cutout(erase_seg=True)`` erases to it, so in a
#: strong view ``gt_seg_map == ignore_index`` is exactly its ignore region,
#: labeled or not (see ``mmssl.models.utils.strong_ignore_region``).
UNLABELED_IN_VIEW = 254


@TRANSFORMS.register_module()
class LoadEmptySegMap(BaseTransform):
    """Unlabeled sample: a ``gt_seg_map`` that carries no class, only which
    pixels lie inside the view.

    The map has the current image's H x W (``results['img']``, else
    ``results['img_shape']``), dtype uint8, is full of ``in_view_value``
    (:data:`UNLABELED_IN_VIEW`), and is appended to ``results['seg_fields']``
    (created if missing) so later geometric transforms move it with the
    image and fill what they add with the ignore index. Sets
    ``results['is_labeled'] = False``: the supervised loss never reads it.

    Args:
        in_view_value (int): fill value; must be neither a class nor the
            ignore index. Defaults to 254.
    """

    def __init__(self, in_view_value: int = UNLABELED_IN_VIEW) -> None:
        if not 0 <= in_view_value <= 255:
            raise ValueError(
                f'in_view_value must fit uint8, got {in_view_value}')
        self.in_view_value = in_view_value

    def transform(self, results: dict) -> dict:
        if results.get('img') is not None:
            h, w = results['img'].shape[:2]
        elif results.get('img_shape') is not None:
            h, w = results['img_shape'][:2]
        else:
            raise KeyError('LoadEmptySegMap needs the image loaded first '
                           "(no 'img' or 'img_shape' in results for "
                           f"{results.get('img_path')})")
        results['gt_seg_map'] = np.full((h, w), self.in_view_value, np.uint8)
        fields = results.setdefault('seg_fields', [])
        if 'gt_seg_map' not in fields:
            fields.append('gt_seg_map')
        results['is_labeled'] = False
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}'
                f'(in_view_value={self.in_view_value})')
