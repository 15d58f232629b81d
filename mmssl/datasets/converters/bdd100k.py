"""Merge BDD100K's detection (100K) and segmentation (10K) sets.

BDD100K labels the two tasks on two image sets that share some image names
(same name = same sample). The multi-task paper (section 4.3) merges them:

* **train** = the 100K train images (detection labels from
  ``labels/det_20/det_train.json``) together with the 10K train images
  (masks in ``labels/sem_seg/masks/train``), *minus the 10K-train images
  that are 100K-val images* (454 in the real data): they would leak
  validation images into training. An image in both sets is one sample
  labeled for both tasks; a 100K-train frame without ``labels`` (missing or
  null; an empty list means "annotated, no objects") or an image not listed
  in the JSON is not labeled for detection; real data: 69,853 detection /
  6,546 segmentation / 2,972 both / 143 neither.
* **val** = the 100K val images (detection subset, 10,000) and the 10K val
  images (segmentation subset, 1,000), each evaluated with its own metric.

Boxes: Scalabel ``box2d`` coordinates are inclusive (``x2`` is the last
column), so the exclusive ``xyxy`` box is ``(x1, y1, x2 + 1, y2 + 1)``, as
in the BDD100K toolkit's COCO conversion (``w = x2 - x1 + 1``). Categories
are the 10 of the detection benchmark (ids 1..10 in
:data:`BDD100K_DET_CLASSES` order); the toolkit's ``name_mapping`` is
applied (``person`` -> pedestrian, ``bike`` -> bicycle, ...), and its
ignored categories (``other person``, ``other vehicle``, ``trailer``) become
``iscrowd=1`` boxes of the mapped class (ignore regions). Any other category
is an error naming the file and frame.

Output (:mod:`.coco_multitask` format, ``file_name`` relative to
``images/``, ``seg_file`` relative to ``labels/sem_seg/masks/``), written
atomically to ``out_dir`` (default ``<data_root>/multitask``):
``train.json``, ``val.json``, ``val_det.json`` and ``val_seg.json`` (the two
val subsets, image ids as in ``val.json``) and ``summary.json`` (counts).
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

from .cityscapes_boxes import CITYSCAPES_SEG_CLASSES
from .coco_multitask import (image_size, multitask_coco, read_json,
                             write_json_atomic)

BDD100K_DET_CLASSES = ('pedestrian', 'rider', 'car', 'truck', 'bus', 'train',
                       'motorcycle', 'bicycle', 'traffic light',
                       'traffic sign')
#: BDD100K toolkit (configs/det.toml): renamed categories ...
NAME_MAPPING = {
    'bike': 'bicycle',
    'caravan': 'car',
    'motor': 'motorcycle',
    'person': 'pedestrian',
    'van': 'car'
}
#: ... and categories kept as ignore regions of a class.
IGNORE_MAPPING = {
    'other person': 'pedestrian',
    'other vehicle': 'car',
    'trailer': 'truck'
}
DET_JSON = osp.join('labels', 'det_20', 'det_{split}.json')
MASK_DIR = osp.join('labels', 'sem_seg', 'masks')

Box = Tuple[int, List[float], int]  # (class index, xyxy exclusive, iscrowd)


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def load_det_frames(path: str) -> Dict[str, Optional[List[Box]]]:
    """det_20 JSON -> ``{image name: boxes or None (not annotated)}``."""
    frames = read_json(path, 'BDD100K detection label file')
    expected = ('expected the det_20 schema: a list of frames {"name": '
                '"<image>.jpg", "labels": [{"category": ..., "box2d": '
                '{"x1", "y1", "x2", "y2"}}, ...]}')
    if not isinstance(frames, list):
        raise ValueError(f'{path}: top level is a {type(frames).__name__}; '
                         f'{expected}')
    out = {}
    for i, fr in enumerate(frames):
        if not isinstance(fr, dict) or not isinstance(fr.get('name'), str):
            raise ValueError(f'{path}: frame {i} has no string "name"; '
                             f'{expected}')
        name = fr['name']
        if name in out:
            raise ValueError(f'{path}: frame {i} repeats image {name!r}')
        labels = fr.get('labels')
        if labels is None:
            out[name] = None
            continue
        if not isinstance(labels, list):
            raise ValueError(f'{path}: frame {name!r} has "labels" of type '
                             f'{type(labels).__name__}; {expected}')
        boxes = []
        for j, lab in enumerate(labels):
            where = f'{path}: frame {name!r} label {j}'
            if not isinstance(lab, dict) or 'category' not in lab:
                raise ValueError(f'{where} has no "category"; {expected}')
            b = lab.get('box2d')
            if b is None:
                continue  # not a box label (det_20 has none)
            if not (isinstance(b, dict)
                    and all(_num(b.get(k)) for k in ('x1', 'y1', 'x2', 'y2'))):
                raise ValueError(f'{where}: box2d {b!r} needs numbers x1, y1,'
                                 f' x2, y2; {expected}')
            if b['x2'] < b['x1'] or b['y2'] < b['y1']:
                raise ValueError(f'{where}: box2d {b!r} has x2 < x1 or '
                                 'y2 < y1 (coordinates are inclusive)')
            cat = NAME_MAPPING.get(lab['category'], lab['category'])
            crowd = 0
            if cat in IGNORE_MAPPING:
                cat, crowd = IGNORE_MAPPING[cat], 1
            if cat not in BDD100K_DET_CLASSES:
                raise ValueError(
                    f'{where}: unknown category {lab["category"]!r}; '
                    f'expected one of {list(BDD100K_DET_CLASSES)} (or '
                    f'{sorted(NAME_MAPPING)} / {sorted(IGNORE_MAPPING)})')
            boxes.append((BDD100K_DET_CLASSES.index(cat), [
                float(b['x1']),
                float(b['y1']),
                float(b['x2']) + 1,
                float(b['y2']) + 1
            ], crowd))
        out[name] = boxes
    return out


def _list(folder: str, ext: str, what: str) -> Dict[str, str]:
    """``{name without ext: file name}`` of the files in ``folder``."""
    if not osp.isdir(folder):
        raise FileNotFoundError(f'BDD100K {what} folder {folder} does not '
                                'exist')
    return {
        f[:-len(ext)]: f
        for f in sorted(os.listdir(folder)) if f.endswith(ext)
    }


def _merge(data_root: str, split: str, det: Dict[str, Optional[List[Box]]],
           det_imgs: Dict[str, str], seg_imgs: Dict[str, str],
           masks: Dict[str, str], drop: set) -> Tuple[list, list]:
    det_names = {osp.splitext(n)[0]: n for n in det}
    for stem, fname in det_names.items():
        if stem not in det_imgs:
            raise FileNotFoundError(
                f'{osp.join(data_root, DET_JSON.format(split=split))} lists '
                f'{fname!r} but images/100k/{split}/{fname} does not exist')
    seg = {s for s in seg_imgs if s not in drop}
    names = sorted(set(det_imgs) | seg)
    images, annotations = [], []
    for img_id, n in enumerate(names):
        if n in det_imgs:
            file_name = f'100k/{split}/{det_imgs[n]}'
        else:
            file_name = f'10k/{split}/{seg_imgs[n]}'
        w, h = image_size(osp.join(data_root, 'images', file_name))
        boxes = det.get(det_names.get(n, ''), None) if n in det_imgs else None
        image = dict(
            id=img_id,
            file_name=file_name,
            width=int(w),
            height=int(h),
            det_labeled=boxes is not None)
        if n in seg:
            image['seg_file'] = f'{split}/{masks[n]}'
        images.append(image)
        for label, (x1, y1, x2, y2), crowd in boxes or ():
            annotations.append(
                dict(
                    id=len(annotations) + 1,
                    image_id=img_id,
                    category_id=label + 1,
                    bbox=[x1, y1, x2 - x1, y2 - y1],
                    area=(x2 - x1) * (y2 - y1),
                    iscrowd=crowd))
    return images, annotations


def _subset(ann: dict, keep, description: str) -> dict:
    images = [im for im in ann['images'] if keep(im)]
    ids = {im['id'] for im in images}
    return multitask_coco(
        images, [a for a in ann['annotations'] if a['image_id'] in ids],
        ann['categories'], ann['seg_classes'], description)


def convert_bdd100k(data_root: str, out_dir: Optional[str] = None) -> dict:
    """Merge the 100K detection and 10K segmentation sets (module
    docstring) and write the annotation files. Returns the summary dict
    (counts and output paths), also written to ``summary.json``."""
    out_dir = out_dir or osp.join(data_root, 'multitask')
    categories = [
        dict(id=i + 1, name=n) for i, n in enumerate(BDD100K_DET_CLASSES)
    ]
    inputs = {}
    for split in ('train', 'val'):
        det = load_det_frames(
            osp.join(data_root, DET_JSON.format(split=split)))
        det_imgs = _list(
            osp.join(data_root, 'images', '100k', split), '.jpg',
            f'100K {split} image')
        seg_imgs = _list(
            osp.join(data_root, 'images', '10k', split), '.jpg',
            f'10K {split} image')
        masks = _list(
            osp.join(data_root, MASK_DIR, split), '.png',
            f'semantic mask ({split})')
        no_mask = sorted(set(seg_imgs) - set(masks))
        no_img = sorted(set(masks) - set(seg_imgs))
        if no_mask or no_img:
            n, ex = ((len(no_mask), f'images/10k/{split}/{no_mask[0]}.jpg has'
                      f' no {MASK_DIR}/{split}/{no_mask[0]}.png') if no_mask
                     else (len(no_img), f'{MASK_DIR}/{split}/{no_img[0]}.png '
                           f'has no images/10k/{split}/{no_img[0]}.jpg'))
            raise FileNotFoundError(
                f'BDD100K under {data_root}: {n} 10K {split} image(s) and '
                f'mask(s) do not pair up, e.g. {ex}')
        inputs[split] = (det, det_imgs, seg_imgs, masks)
    drop = set(inputs['train'][2]) & set(inputs['val'][1])
    anns = {}
    for split in ('train', 'val'):
        images, annotations = _merge(data_root, split, *inputs[split],
                                     drop if split == 'train' else set())
        anns[split] = multitask_coco(
            images, annotations, categories, CITYSCAPES_SEG_CLASSES,
            f'BDD100K {split}: 100K det_20 boxes merged with 10K sem_seg '
            'masks (box2d x2/y2 inclusive -> exclusive)' +
            (f'; dropped {len(drop)} 10K-train images that are 100K-val '
             'images' if split == 'train' else ''))
    anns['val_det'] = _subset(anns['val'], lambda im: im['det_labeled'],
                              'BDD100K val, detection subset (100K val)')
    anns['val_seg'] = _subset(anns['val'], lambda im: 'seg_file' in im,
                              'BDD100K val, segmentation subset (10K val)')

    def counts(ann):
        ims = ann['images']
        det = sum(1 for im in ims if im['det_labeled'])
        seg = sum(1 for im in ims if 'seg_file' in im)
        both = sum(1 for im in ims if im['det_labeled'] and 'seg_file' in im)
        return dict(
            images=len(ims),
            det_labeled=det,
            seg_labeled=seg,
            both=both,
            neither=len(ims) - det - seg + both,
            boxes=sum(1 for a in ann['annotations'] if not a['iscrowd']),
            crowd_boxes=sum(1 for a in ann['annotations'] if a['iscrowd']))

    summary = dict(
        data_root=data_root,
        dropped_seg_train_in_det_val=sorted(drop),
        files={},
        counts={})
    for key, ann in anns.items():
        path = osp.join(out_dir, f'{key}.json')
        write_json_atomic(path, ann)
        summary['files'][key] = path
        summary['counts'][key] = counts(ann)
    write_json_atomic(osp.join(out_dir, 'summary.json'), summary)
    return summary
