"""Multi-task data: Cityscapes boxes from instance maps, the BDD100K merge,
the multi-task dataset through mmdet + mmseg loaders, per-task flags, and
clear errors. Oracles read the PNG / JSON files independently (PIL, json)."""
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from PIL import Image

from mmseg.registry import DATASETS

CS_THING_IDS = {24: 'person', 25: 'rider', 26: 'car', 27: 'truck', 28: 'bus',
                31: 'train', 32: 'motorcycle', 33: 'bicycle'}
BDD_LAYOUT = dict(
    num_train=10, num_val=5, num_extra=8, num_seg_val=3,
    num_seg_in_det_train=3, num_seg_in_det_val=2, num_det_unlabeled=2)


@pytest.fixture(scope='module')
def cs_ann(synthetic_cityscapes_root, tmp_path_factory):
    from mmssl.datasets.converters import convert_cityscapes_boxes
    out = str(tmp_path_factory.mktemp('cs_ann'))
    res = convert_cityscapes_boxes(synthetic_cityscapes_root, out_dir=out)
    return synthetic_cityscapes_root, out, res


@pytest.fixture(scope='module')
def bdd(tmp_path_factory):
    from mmssl.datasets.synthetic import generate_dataset
    from mmssl.datasets.converters import convert_bdd100k
    root = generate_dataset(
        str(tmp_path_factory.mktemp('bdd')), 'bdd100k', size=(64, 36),
        **BDD_LAYOUT)['root']
    out = osp.join(str(tmp_path_factory.mktemp('bdd_out')), 'mt')
    return root, out, convert_bdd100k(root, out)


def _mask_extents(inst):
    """Oracle: {(category name, iscrowd, x1, y1, x2, y2)} by np.nonzero."""
    out = set()
    for v in np.unique(inst):
        lid = v // 1000 if v >= 1000 else v
        if lid not in CS_THING_IDS:
            continue
        ys, xs = np.nonzero(inst == v)
        out.add((CS_THING_IDS[lid], int(v < 1000), int(xs.min()),
                 int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))
    return out


def _json_boxes(ann, image_id):
    names = {c['id']: c['name'] for c in ann['categories']}
    out = set()
    for a in ann['annotations']:
        if a['image_id'] == image_id:
            x, y, w, h = a['bbox']
            out.add((names[a['category_id']], a['iscrowd'], x, y, x + w,
                     y + h))
    return out


def test_cityscapes_boxes_equal_instance_mask_extents(cs_ann):
    root, out, res = cs_ann
    assert set(res) == {'train', 'val'}
    total = 0
    for split in ('train', 'val'):
        with open(osp.join(out, f'multitask_gtFine_{split}.json')) as f:
            ann = json.load(f)
        assert len(ann['images']) == len(
            [p for c in os.listdir(osp.join(root, 'leftImg8bit', split))
             for p in os.listdir(osp.join(root, 'leftImg8bit', split, c))])
        for im in ann['images']:
            stem = im['file_name'][:-len('_leftImg8bit.png')]
            inst = np.array(
                Image.open(
                    osp.join(root, 'gtFine', split,
                             stem + '_gtFine_instanceIds.png')))
            want = _mask_extents(inst)
            assert _json_boxes(ann, im['id']) == want, im['file_name']
            assert (im['height'], im['width']) == inst.shape
            assert im['seg_file'] == stem + '_gtFine_labelTrainIds.png'
            total += len(want)
    assert total > 10  # the generated scenes do contain things


def test_cityscapes_group_ids_are_crowd_and_caravan_skipped(tmp_path):
    from mmssl.datasets.converters import convert_cityscapes_boxes
    inst = np.full((12, 16), 7, np.uint16)  # road
    inst[2:5, 3:9] = 26001  # a car: x 3..8, y 2..4
    inst[6:10, 1:3] = 24  # a group of persons (crowd)
    inst[8:11, 10:15] = 29000  # caravan: not evaluated
    inst[0, 15] = 33002  # one-pixel bicycle
    d = tmp_path / 'gtFine' / 'val' / 'x'
    d.mkdir(parents=True)
    Image.fromarray(inst).save(d / 'x_000000_000019_gtFine_instanceIds.png')
    Image.fromarray(np.zeros((12, 16), np.uint8)).save(
        d / 'x_000000_000019_gtFine_labelTrainIds.png')
    i = tmp_path / 'leftImg8bit' / 'val' / 'x'
    i.mkdir(parents=True)
    Image.fromarray(np.zeros((12, 16, 3), np.uint8)).save(
        i / 'x_000000_000019_leftImg8bit.png')
    res = convert_cityscapes_boxes(str(tmp_path), splits=['val'])
    ann = json.load(open(res['val']['path']))
    got = sorted((a['category_id'], a['bbox'], a['iscrowd'], a['area'])
                 for a in ann['annotations'])
    assert got == [(24, [1, 6, 2, 4], 1, 8), (26, [3, 2, 6, 3], 0, 18),
                   (33, [15, 0, 1, 1], 0, 1)]
    assert res['val']['num_crowd'] == 1 and res['val']['num_boxes'] == 2


def _names(folder):
    return {osp.splitext(f)[0] for f in os.listdir(folder)}


def test_bdd100k_generator_layout_and_merge_counts(bdd):
    root, out, summary = bdd
    L = BDD_LAYOUT
    img = lambda *p: _names(osp.join(root, 'images', *p))  # noqa: E731
    d_tr, d_va, s_tr, s_va = (img('100k', 'train'), img('100k', 'val'),
                              img('10k', 'train'), img('10k', 'val'))
    assert (len(d_tr), len(d_va), len(s_tr), len(s_va)) == (
        L['num_train'], L['num_val'], L['num_extra'], L['num_seg_val'])
    assert len(s_tr & d_tr) == L['num_seg_in_det_train']
    dup = s_tr & d_va
    assert len(dup) == L['num_seg_in_det_val']
    assert _names(osp.join(root, 'labels/sem_seg/masks/train')) == s_tr
    frames = json.load(open(osp.join(root, 'labels/det_20/det_train.json')))
    no_labels = {f['name'][:-4] for f in frames if 'labels' not in f}
    assert len(no_labels) == L['num_det_unlabeled']
    assert len(no_labels & s_tr) == 1  # one of them has a mask only

    c = summary['counts']
    n_train = L['num_train'] + L['num_extra'] - L['num_seg_in_det_train'] \
        - L['num_seg_in_det_val']
    assert c['train'] == dict(
        c['train'], images=n_train,
        det_labeled=L['num_train'] - L['num_det_unlabeled'],
        seg_labeled=L['num_extra'] - L['num_seg_in_det_val'],
        both=L['num_seg_in_det_train'] - 1, neither=L['num_det_unlabeled']
        - 1)
    assert c['val']['images'] == L['num_val'] + L['num_seg_val']
    assert (c['val_det']['images'], c['val_det']['seg_labeled']) == (
        L['num_val'], 0)
    assert (c['val_seg']['images'], c['val_seg']['det_labeled']) == (
        L['num_seg_val'], 0)
    assert set(summary['dropped_seg_train_in_det_val']) == dup

    train = json.load(open(osp.join(out, 'train.json')))
    val = json.load(open(osp.join(out, 'val.json')))
    stem = lambda im: osp.splitext(osp.basename(im['file_name']))[0]  # noqa
    train_names = {stem(im) for im in train['images']}
    assert not train_names & (d_va | s_va)
    assert train_names == d_tr | (s_tr - d_va)
    assert {stem(im) for im in val['images']} == d_va | s_va
    for im in train['images']:
        assert im['det_labeled'] == (stem(im) in d_tr - no_labels)
        assert ('seg_file' in im) == (stem(im) in s_tr - d_va)
        assert osp.isfile(osp.join(root, 'images', im['file_name']))
    # boxes: det_20 box2d (inclusive) + 1 on x2 / y2
    names = [c['name'] for c in train['categories']]
    by_name = {f['name'][:-4]: f for f in frames}
    for im in train['images']:
        if not im['det_labeled']:
            continue
        want = sorted((lab['category'], lab['box2d']['x1'],
                       lab['box2d']['y1'], lab['box2d']['x2'] + 1,
                       lab['box2d']['y2'] + 1)
                      for lab in by_name[stem(im)]['labels'])
        got = sorted((names[a['category_id'] - 1], a['bbox'][0], a['bbox'][1],
                      a['bbox'][0] + a['bbox'][2], a['bbox'][1] + a['bbox'][3])
                     for a in train['annotations'] if a['image_id'] == im['id'])
        assert got == want


def _copy(root, tmp_path):
    dst = str(tmp_path / 'bdd100k')
    shutil.copytree(root, dst)
    return dst


def test_bdd100k_merge_errors_name_the_file(bdd, tmp_path):
    from mmssl.datasets.converters import convert_bdd100k
    root = _copy(bdd[0], tmp_path)
    det = osp.join(root, 'labels/det_20/det_val.json')
    frames = json.load(open(det))
    frames[0]['labels'] = [dict(category='spaceship',
                                box2d=dict(x1=0, y1=0, x2=1, y2=1))]
    json.dump(frames, open(det, 'w'))
    with pytest.raises(ValueError, match=r'det_val\.json.*spaceship'):
        convert_bdd100k(root, str(tmp_path / 'o'))
    open(det, 'w').write('{"truncated": ')
    with pytest.raises(ValueError, match=r'det_val\.json is not valid JSON'):
        convert_bdd100k(root, str(tmp_path / 'o'))
    os.remove(det)
    with pytest.raises(FileNotFoundError, match=r'det_val\.json'):
        convert_bdd100k(root, str(tmp_path / 'o'))
    root = _copy(bdd[0], tmp_path / 'b')
    mdir = osp.join(root, 'labels/sem_seg/masks/val')
    gone = sorted(os.listdir(mdir))[0]
    os.remove(osp.join(mdir, gone))
    with pytest.raises(FileNotFoundError, match=gone[:-4] + r'\.png'):
        convert_bdd100k(root, str(tmp_path / 'o'))
    assert not osp.exists(tmp_path / 'o')  # nothing half-written


def _cs_dataset(root, ann_dir, split='val', pipeline=(), **kw):
    init_default_scope('mmseg')
    return DATASETS.build(
        dict(
            type='CityscapesMultiTaskDataset',
            data_root=root,
            ann_file=osp.join(ann_dir, f'multitask_gtFine_{split}.json'),
            data_prefix=dict(
                img_path=f'leftImg8bit/{split}',
                seg_map_path=f'gtFine/{split}'),
            pipeline=list(pipeline),
            **kw))


def test_dataset_through_mmdet_and_mmseg_loaders(cs_ann):
    root, out, _ = cs_ann
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='mmdet.LoadAnnotations', with_bbox=True),
        dict(type='LoadAnnotations'),  # mmseg
        dict(type='PackMultiTaskInputs'),
    ]
    ds = _cs_dataset(root, out, pipeline=pipeline)
    assert len(ds.metainfo['classes']) == 19
    assert ds.metainfo['thing_classes'][0] == 'person'
    ann = json.load(open(osp.join(out, 'multitask_gtFine_val.json')))
    names = {c['id']: c['name'] for c in ann['categories']}
    thing = list(ds.metainfo['thing_classes'])
    for i, im in enumerate(ann['images']):
        s = ds[i]['data_samples']
        assert s.img_id == im['id'] and s.seg_labeled and s.det_labeled
        want = sorted((thing.index(names[a['category_id']]), a['bbox'][0],
                       a['bbox'][1], a['bbox'][0] + a['bbox'][2],
                       a['bbox'][1] + a['bbox'][3])
                      for a in ann['annotations']
                      if a['image_id'] == im['id'] and not a['iscrowd'])
        got = sorted(
            (int(lab), *map(float, box)) for lab, box in zip(
                s.gt_instances.labels, s.gt_instances.bboxes.tensor))
        assert got == want and len(want) > 0
        png = np.array(
            Image.open(osp.join(root, 'gtFine', 'val', im['seg_file'])))
        assert np.array_equal(s.gt_sem_seg.data[0].numpy(), png)


def test_dataset_task_flags_from_split_files(cs_ann, tmp_path):
    from mmssl.datasets.multitask_splits import write_multitask_splits
    root, out, _ = cs_ann
    rows = write_multitask_splits(
        root, ['d-2-4'], num_splits=1, out_dir=str(tmp_path))['d-2-4'][0]
    seg = set(open(rows['seg']).read().split())
    det = set(open(rows['det']).read().split())
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadMultiTaskAnnotations'),
        dict(type='PackMultiTaskInputs'),
    ]
    ds = _cs_dataset(
        root, out, 'train', pipeline, seg_split=rows['seg'],
        det_split=rows['det'])
    full = _cs_dataset(root, out, 'train')
    assert len(ds) == 6
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        assert info['seg_labeled'] == (info['stem'] in seg)
        assert info['det_labeled'] == (info['stem'] in det)
        assert ('seg_map_path' in info) == info['seg_labeled']
        if not info['det_labeled']:
            assert info['instances'] == []
        else:
            assert info['instances'] == full.get_data_info(i)['instances']
        s = ds[i]['data_samples']
        if not info['seg_labeled']:
            assert (s.gt_sem_seg.data == 254).all()
        else:
            png = np.array(Image.open(info['seg_map_path']))
            assert np.array_equal(s.gt_sem_seg.data[0].numpy(), png)
        assert len(s.gt_instances) + len(s.ignored_instances) == len(
            info['instances'])
    sizes = {
        sub: len(_cs_dataset(root, out, 'train', seg_split=rows['seg'],
                             det_split=rows['det'], subset=sub))
        for sub in ('any', 'both', 'seg', 'det', 'none', 'not_seg')
    }
    assert sizes == dict(any=4, both=2, seg=2, det=4, none=2, not_seg=4)


def test_bdd100k_dataset_reads_merged_annotations(bdd):
    root, out, summary = bdd
    init_default_scope('mmseg')
    ds = DATASETS.build(
        dict(
            type='BDD100KMultiTaskDataset',
            data_root=root,
            ann_file=osp.join(out, 'train.json'),
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='LoadMultiTaskAnnotations'),
                dict(type='PackMultiTaskInputs')
            ]))
    assert len(ds.metainfo['thing_classes']) == 10
    train = json.load(open(osp.join(out, 'train.json')))
    for i, im in enumerate(train['images']):
        s = ds[i]['data_samples']
        assert (s.seg_labeled, s.det_labeled) == ('seg_file' in im,
                                                  im['det_labeled'])
        n = sum(1 for a in train['annotations'] if a['image_id'] == im['id'])
        assert len(s.gt_instances) + len(s.ignored_instances) == n
        if 'seg_file' in im:
            png = np.array(
                Image.open(
                    osp.join(root, 'labels/sem_seg/masks', im['seg_file'])))
            assert np.array_equal(s.gt_sem_seg.data[0].numpy(), png)
    val = DATASETS.build(
        dict(type='BDD100KMultiTaskDataset', data_root=root,
             ann_file=osp.join(out, 'val.json'), subset='det'))
    assert len(val) == summary['counts']['val_det']['images']


def test_dataset_errors_name_file_and_setting(cs_ann, bdd, tmp_path):
    root, out, _ = cs_ann
    bad = tmp_path / 'seg.txt'
    bad.write_text('aachen/aachen_000000_000019\nnowhere/nothing_1\n')
    with pytest.raises(ValueError, match=r'seg\.txt.*nowhere/nothing_1'):
        _cs_dataset(root, out, 'train', seg_split=str(bad))
    bad.write_text('aachen/aachen_000000_000019_leftImg8bit.png\n')
    with pytest.raises(ValueError, match=r'seg\.txt:1: malformed'):
        _cs_dataset(root, out, 'train', seg_split=str(bad))
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        _cs_dataset(root, out, 'train', det_split=str(tmp_path / 'missing.txt'))
    with pytest.raises(ValueError, match="subset='labeled'"):
        _cs_dataset(root, out, subset='labeled')
    with pytest.raises(FileNotFoundError, match='multitask_gtFine_test'):
        _cs_dataset(root, out, 'test')
    # BDD100K annotations read as Cityscapes: wrong categories
    with pytest.raises(ValueError, match=r"thing_classes \['person'"):
        DATASETS.build(
            dict(type='CityscapesMultiTaskDataset', data_root=bdd[0],
                 ann_file=osp.join(bdd[1], 'train.json'), img_suffix='.jpg'))
    # a listed image that does not exist
    ann = json.load(open(osp.join(out, 'multitask_gtFine_val.json')))
    ann['images'][0]['file_name'] = 'nocity/gone_leftImg8bit.png'
    p = tmp_path / 'ann.json'
    p.write_text(json.dumps(ann))
    with pytest.raises(FileNotFoundError, match='gone_leftImg8bit.png'):
        DATASETS.build(
            dict(type='CityscapesMultiTaskDataset', data_root=root,
                 ann_file=str(p), data_prefix=dict(
                     img_path='leftImg8bit/val', seg_map_path='gtFine/val')))


def test_base_configs_build_dataset_and_evaluator(bdd, cs_ann, tmp_path):
    from mmengine.config import Config
    from mmengine.evaluator import Evaluator
    import mmssl  # noqa: F401
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    cfg = Config.fromfile(
        osp.join(root, 'configs/_base_/datasets/multitask_bdd100k.py'))
    ds_cfg = dict(cfg.val_dataloader.dataset, data_root=bdd[0],
                  ann_file=osp.join(bdd[1], 'val.json'))
    init_default_scope('mmseg')
    ds = DATASETS.build(ds_cfg)
    s = ds[0]['data_samples']
    assert s.img_id == 0 and s.det_labeled != s.seg_labeled
    ev_cfg = dict(cfg.val_evaluator)
    ev_cfg['det_metric'] = dict(ev_cfg['det_metric'],
                                ann_file=osp.join(bdd[1], 'val_det.json'))
    ev = Evaluator([ev_cfg])
    ev.dataset_meta = ds.metainfo
    cs = Config.fromfile(
        osp.join(root, 'configs/_base_/datasets/multitask_cityscapes.py'))
    assert cs.val_evaluator.type == 'MultiTaskMetric'
    assert cs.train_dataset.seg_split.endswith('a-93/split0/seg_labeled.txt')
