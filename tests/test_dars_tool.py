"""tools/pseudo_label.py: semi vs plain checkpoints, 1 vs 2 processes,
interrupted runs resume to the same bytes, clear errors."""
import glob
import importlib.util
import json
import os
import os.path as osp
import subprocess

import numpy as np
import pytest
import torch
from PIL import Image
from test_pseudo_label_quality import _tool as _quality_tool

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT, 'tests', 'configs', 'tiny_dars_pseudo_label.py')


def _tool():
    spec = importlib.util.spec_from_file_location(
        'pseudo_label_tool', osp.join(ROOT, 'tools', 'pseudo_label.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope='module')
def checkpoints(tiny_env, tmp_path_factory):
    """A random-init tiny segmentor saved plain and as a semi checkpoint
    (teacher = these weights, student = different ones)."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmssl  # noqa: F401
    from mmseg.registry import MODELS
    from mmssl.pseudo_labeling.model_loading import segmentor_config
    mp = pytest.MonkeyPatch()
    for k in ('MMSSL_TEST_DATA_ROOT', 'MMSSL_TEST_LABELED',
              'MMSSL_TEST_UNLABELED'):
        mp.setenv(k, tiny_env[k])
    init_default_scope('mmseg')
    cfg = Config.fromfile(CONFIG)
    torch.manual_seed(0)
    model = MODELS.build(segmentor_config(cfg))
    # a biased decode bias so that classes differ in size and confidence
    model.decode_head.conv_seg.bias.data = torch.linspace(0, 2, 19)
    d = tmp_path_factory.mktemp('ckpt')
    state = model.state_dict()
    torch.save(dict(state_dict=state, meta={}), d / 'plain.pth')
    semi = {'teacher.' + k: v for k, v in state.items()}
    semi.update({'student.' + k: torch.zeros_like(v)
                 for k, v in state.items()})
    torch.save(dict(state_dict=semi, meta={}), d / 'semi.pth')
    yield d
    mp.undo()


def _pngs(root):
    files = sorted(glob.glob(osp.join(root, 'gtFine', '**', '*.png'),
                             recursive=True))
    return {osp.relpath(f, root): open(f, 'rb').read() for f in files}


def test_semi_teacher_plain_and_resume_identical(tiny_env, checkpoints,
                                                 tmp_path, monkeypatch):
    for k in ('MMSSL_TEST_DATA_ROOT', 'MMSSL_TEST_LABELED',
              'MMSSL_TEST_UNLABELED'):
        monkeypatch.setenv(k, tiny_env[k])
    tool = _tool()
    full = tmp_path / 'full'
    s1 = tool.main([CONFIG, str(checkpoints / 'semi.pth'), '--out',
                    str(full)])
    ref = _pngs(full)
    assert len(ref) == 4
    assert s1['images'] == 4 and 'kl_labeled_pseudo' in s1
    # DARS: the pseudo-labels number exactly the kept counts of the plan
    assert s1['pseudo_label_counts'] == s1['plan']['kept_counts']
    assert osp.isfile(full / 'class_distribution.png')
    # their quality against the generated ground truth, counted here
    # pixel by pixel (tools/analysis_tools/pseudo_label_quality.py)
    q = _quality_tool().main(
        [str(full), '--data-root', tiny_env['MMSSL_TEST_DATA_ROOT']])
    assert q['images'] == 4
    expected = np.zeros((19, 20), np.int64)
    for rel in _pngs(full):
        pseudo = np.array(Image.open(full / rel))
        gt = np.array(Image.open(
            osp.join(tiny_env['MMSSL_TEST_DATA_ROOT'], rel)))
        for g in range(19):
            for p in list(range(19)) + [255]:
                expected[g, min(p, 19)] += np.sum((gt == g) & (pseudo == p))
    assert np.array_equal(q['confusion'], expected) and expected.sum() > 0
    # the teacher of the semi checkpoint == the plain checkpoint
    plain = tmp_path / 'plain'
    tool.main([CONFIG, str(checkpoints / 'plain.pth'), '--out', str(plain)])
    assert _pngs(plain) == ref

    # interrupted after 2 written PNGs (and a stale temp file left behind)
    import mmssl.pseudo_labeling.offline as offline
    real = offline.atomic_write_bytes
    written = []

    def crash(path, data):
        if path.endswith('.png') and len(written) == 2:
            os.makedirs(osp.dirname(path), exist_ok=True)
            open(path + '.tmp999', 'wb').write(data[:10])
            raise KeyboardInterrupt
        real(path, data)
        if path.endswith('.png'):
            written.append(path)

    part = tmp_path / 'part'
    monkeypatch.setattr(offline, 'atomic_write_bytes', crash)
    with pytest.raises(KeyboardInterrupt):
        tool.main([CONFIG, str(checkpoints / 'semi.pth'), '--out',
                   str(part)])
    monkeypatch.setattr(offline, 'atomic_write_bytes', real)
    assert len(_pngs(part)) == 2 and not osp.isfile(part / 'summary.json')
    s2 = tool.main([CONFIG, str(checkpoints / 'semi.pth'), '--out',
                    str(part)])
    assert _pngs(part) == ref
    assert s2['pseudo_label_counts'] == s1['pseudo_label_counts']

    # resuming with other settings is refused, naming the state file
    with pytest.raises(ValueError, match=r'run\.json.*policy'):
        tool.main([CONFIG, str(checkpoints / 'semi.pth'), '--out',
                   str(part), '--alpha', '0.3'])


def test_two_processes_byte_identical(tiny_env, checkpoints, tmp_path,
                                      monkeypatch):
    for k in ('MMSSL_TEST_DATA_ROOT', 'MMSSL_TEST_LABELED',
              'MMSSL_TEST_UNLABELED'):
        monkeypatch.setenv(k, tiny_env[k])
    one = tmp_path / 'one'
    _tool().main([CONFIG, str(checkpoints / 'semi.pth'), '--out', str(one)])
    two = tmp_path / 'two'
    env = dict(tiny_env, PORT='29531')
    proc = subprocess.run(
        ['bash', 'tools/dist_pseudo_label.sh', CONFIG,
         str(checkpoints / 'semi.pth'), '2', '--out', str(two)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert _pngs(two) == _pngs(one) and len(_pngs(one)) == 4
    a = json.load(open(one / 'summary.json'))
    b = json.load(open(two / 'summary.json'))
    assert a['thresholds'] == b['thresholds']
    assert a['pseudo_label_counts'] == b['pseudo_label_counts']


def test_split_not_matching_images_names_the_file(tiny_env, checkpoints,
                                                  tmp_path, monkeypatch):
    for k in ('MMSSL_TEST_DATA_ROOT', 'MMSSL_TEST_LABELED'):
        monkeypatch.setenv(k, tiny_env[k])
    split = tmp_path / 'unlabeled.txt'
    split.write_text('nocity/nocity_000000_000000\n')
    monkeypatch.setenv('MMSSL_TEST_UNLABELED', str(split))
    with pytest.raises(FileNotFoundError, match='unlabeled.txt'):
        _tool().main([CONFIG, str(checkpoints / 'semi.pth'), '--out',
                      str(tmp_path / 'x')])
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        monkeypatch.setenv('MMSSL_TEST_UNLABELED',
                           tiny_env['MMSSL_TEST_UNLABELED'])
        _tool().main([CONFIG, str(tmp_path / 'missing.pth'), '--out',
                      str(tmp_path / 'y')])
