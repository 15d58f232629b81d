"""Issue 16, points 6-8 (one implementation each, small fixes):

* rank / all-reduce: mmssl calls mmengine.dist, not torch.distributed;
* ``teacher.`` is stripped in one place for export and pseudo-labeling;
* tools/export_segmentor.py creates its output folder;
* docs/dars.md cites no path outside the repository.
"""
import importlib.util
import os
import os.path as osp
import re

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_rank_and_all_reduce_come_from_mmengine():
    """Only process-group initialisation (mmssl/utils/runtime.py, before
    mmengine can be used) touches torch.distributed directly."""
    offenders = []
    for dirpath, _, files in os.walk(osp.join(ROOT, 'mmssl')):
        for f in files:
            if not f.endswith('.py'):
                continue
            path = osp.join(dirpath, f)
            rel = osp.relpath(path, ROOT)
            if rel == osp.join('mmssl', 'utils', 'runtime.py'):
                continue
            with open(path) as fh:
                text = fh.read()
            code = re.sub(r'(?s)""".*?"""|#[^\n]*', '', text)
            if re.search(r'torch\.distributed|torch_dist\b', code):
                offenders.append(rel)
    assert not offenders, offenders


def _semi_checkpoint(path):
    state = {
        'teacher.decode_head.w': torch.ones(2),
        'student.decode_head.w': torch.zeros(2),
        'teacher.backbone.b': torch.full((1, ), 3.0),
        'student.backbone.b': torch.zeros(1),
    }
    torch.save(dict(meta=dict(iter=7), state_dict=state), path)
    return state


def test_teacher_stripped_once_and_export_creates_folder(tmp_path):
    import mmssl  # noqa: F401
    from mmssl.pseudo_labeling.model_loading import checkpoint_state
    from mmssl.utils.export import extract_submodel_state
    src = tmp_path / 'semi.pth'
    state = _semi_checkpoint(src)
    want = {'decode_head.w': state['teacher.decode_head.w'],
            'backbone.b': state['teacher.backbone.b']}
    got = checkpoint_state(str(src))
    assert set(got) == set(want)
    for k in want:
        torch.testing.assert_close(got[k], want[k])
    # a plain checkpoint is taken as it is
    plain = tmp_path / 'plain.pth'
    torch.save(dict(state_dict=want), plain)
    assert set(checkpoint_state(str(plain))) == set(want)
    with pytest.raises(KeyError, match="'teacher"):
        extract_submodel_state(dict(state_dict=want), 'teacher')

    spec = importlib.util.spec_from_file_location(
        'export_segmentor', osp.join(ROOT, 'tools', 'export_segmentor.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    cfg = tmp_path / 'semi_cfg.py'
    cfg.write_text("model = dict(type='SemiSegmentor', segmentor=dict("
                   "type='EncoderDecoder', data_preprocessor=dict("
                   "type='SegDataPreProcessor')))\n")
    out = tmp_path / 'new' / 'nested' / 'teacher.pth'
    tool.main([str(cfg), str(src), str(out)])
    assert out.is_file() and out.with_suffix('.py').is_file()
    saved = torch.load(str(out), map_location='cpu', weights_only=True)
    assert set(saved['state_dict']) == set(want)
    torch.testing.assert_close(saved['state_dict']['backbone.b'],
                               want['backbone.b'])


def test_docs_cite_no_path_outside_the_repository():
    with open(osp.join(ROOT, 'docs', 'dars.md')) as f:
        text = f.read()
    assert 'arXiv:2107.11279' in text
    assert not re.search(r'\.\./shared|/work/|\]\(\.\./\.\.', text)
