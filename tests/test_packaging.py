"""mmssl as an installed OpenMMLab package (issue 19).

One wheel per session (``python -m build --no-isolation``: an sdist from the
checkout, then the wheel from that sdist, so MANIFEST.in is exercised too),
installed non-editable with ``pip install --no-deps --target DIR``. It then
runs in a throw-away venv whose only view of the checkout's environment is a
``.pth`` line naming ``.venv``'s site-packages (the dependencies), so the
checkout's editable install (its ``__editable__`` finder) is NOT active, and
with ``PYTHONPATH=DIR`` and the working directory outside the repository:
mmssl, its configs and its tools come from the wheel alone.
"""
import glob
import os
import os.path as osp
import subprocess
import sys
import sysconfig
import textwrap
import zipfile

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO = ('demo/dense-fixmatch_deeplabv3plus_r18-d8_1xb8-explicit-cpu-300i_'
        'synthcityscapes-8.py')

pytest.importorskip('build')


def _run(args, env, cwd, timeout=600):
    res = subprocess.run(args, cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=timeout)
    assert res.returncode == 0, (
        f'{args} failed ({res.returncode}):\n{res.stdout[-3000:]}\n'
        f'{res.stderr[-5000:]}')
    return res.stdout + res.stderr


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """The built wheel, its ``--target`` install and an isolated Python."""
    tmp = tmp_path_factory.mktemp('mmssl_wheel')
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1')
    env.pop('PYTHONPATH', None)
    _run([sys.executable, '-m', 'build', '--no-isolation', '--outdir',
          str(tmp / 'dist'), ROOT], env, cwd=ROOT)
    wheel, = glob.glob(str(tmp / 'dist' / 'mmssl-*.whl'))
    target = tmp / 'site'
    _run([sys.executable, '-m', 'pip', 'install', '--no-deps', '--no-index',
          '--disable-pip-version-check', '--target', str(target), wheel],
         env, cwd=str(tmp))
    venv = tmp / 'venv'
    _run([sys.executable, '-m', 'venv', '--without-pip', str(venv)], env,
         cwd=str(tmp))
    venv_site, = glob.glob(str(venv / 'lib' / 'python*' / 'site-packages'))
    # dependencies only: a path line in a .pth adds the folder, but the
    # .pth files inside it (the editable mmssl finder) are not processed
    with open(osp.join(venv_site, '_deps.pth'), 'w') as f:
        f.write(sysconfig.get_paths()['purelib'] + '\n')
    iso_env = dict(env, PYTHONPATH=str(target),
                   PATH=f'{venv}/bin:{env.get("PATH", "")}')
    return dict(wheel=wheel, target=str(target),
                python=str(venv / 'bin' / 'python'), env=iso_env, tmp=tmp)


def test_wheel_ships_configs_tools_and_model_index(installed):
    with zipfile.ZipFile(installed['wheel']) as z:
        names = set(z.namelist())
        links = [i.filename for i in z.infolist()
                 if (i.external_attr >> 16) & 0o170000 == 0o120000]
    assert not links
    for rel in (f'configs/{DEMO}', 'configs/_base_/default_runtime.py',
                'tools/train.py', 'tools/test.py', 'tools/dist_train.sh',
                'tools/analysis_tools/browse_semi_views.py',
                'model-index.yml', 'configs/dense_fixmatch/metafile.yml'):
        assert f'mmssl/.mim/{rel}' in names, rel
    assert not [n for n in names if '__pycache__' in n]
    # every config of the checkout is shipped
    repo = {osp.relpath(p, ROOT) for p in glob.glob(
        osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)}
    assert {f'mmssl/.mim/{p}' for p in repo} <= names
    mim = osp.join(installed['target'], 'mmssl', '.mim')
    assert osp.isdir(osp.join(mim, 'configs')) and not osp.islink(
        osp.join(mim, 'configs'))


USER_CFG = """
_base_ = 'mmssl::{demo}'

data_root = '{data_root}'
crop_size = (32, 32)
max_iters = 2
model = dict(
    data_preprocessor=dict(data_preprocessor=dict(size=crop_size)),
    segmentor=dict(
        backbone=dict(base_channels=16, stem_channels=16),
        decode_head=dict(
            in_channels=128, c1_in_channels=16, channels=16, c1_channels=8),
        auxiliary_head=dict(in_channels=64, channels=8)))
resize = dict(_base_.random_resize, scale=(64, 32))
train_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(batch_size=4, num_labeled=2),
    dataset=dict(
        labeled=dict(
            data_root=data_root, ann_file='{labeled}',
            pipeline=_base_.labeled_loading + [
                dict(_base_.semi_views_labeled, crop_size=crop_size,
                     resize=resize)]),
        unlabeled=dict(
            data_root=data_root, ann_file='{unlabeled}',
            pipeline=_base_.unlabeled_loading + [
                dict(_base_.semi_views_unlabeled, crop_size=crop_size,
                     resize=resize)])))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 32), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
val_dataloader = dict(num_workers=0, dataset=dict(
    data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=1000)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2))
"""

CHECK_AND_TRAIN = """
import importlib.util, os.path as osp, sys
root, target = sys.argv[1], sys.argv[2]
spec = importlib.util.find_spec('mmssl')
assert spec.origin.startswith(target), spec.origin
assert not any(osp.realpath(p or '.') == root for p in sys.path), sys.path
t = importlib.util.find_spec('tests')  # the repository's tests/ package
assert t is None or not (t.origin or '').startswith(root + '/tests'), t
import mmssl  # noqa: F401 (registers the mmssl:: config scope)
from mmengine.config import Config
from mmengine.config.utils import _get_external_cfg_base_path
from mmengine.utils import get_installed_path
base = _get_external_cfg_base_path(get_installed_path('mmssl'), sys.argv[3])
assert osp.realpath(base).startswith(target), base
cfg = Config.fromfile('user_cfg.py')
assert cfg.train_cfg.max_iters == 2 and cfg.model.type == 'SemiSegmentor'
cfg.work_dir = 'work_api'
from mmengine.registry import init_default_scope
init_default_scope(cfg.default_scope)
from mmssl.utils import check_semi_config, prepare_runtime
check_semi_config(cfg)
prepare_runtime(cfg)
from mmengine.runner import Runner
runner = Runner.from_cfg(cfg)
runner.train()
assert runner.iter == 2
print('MMSSL_FROM', osp.dirname(spec.origin))
"""


def test_user_config_with_mmssl_base_trains_and_mim_runs(installed, tiny_env,
                                                         tmp_path):
    """A user's project outside the repository: ``_base_ = 'mmssl::...'``,
    2 training steps through the Python API, then ``mim train mmssl`` (2
    steps, the wheel's own ``.mim/tools/train.py``) and ``mim test mmssl
    --checkpoint`` on its checkpoint."""
    pytest.importorskip('mim')
    work = tmp_path / 'user_project'
    work.mkdir()
    (work / 'user_cfg.py').write_text(USER_CFG.format(
        demo=DEMO, data_root=tiny_env['MMSSL_TEST_DATA_ROOT'],
        labeled=tiny_env['MMSSL_TEST_LABELED'],
        unlabeled=tiny_env['MMSSL_TEST_UNLABELED']))
    (work / 'check_and_train.py').write_text(CHECK_AND_TRAIN)
    env, py, target = installed['env'], installed['python'], installed[
        'target']
    out = _run([py, 'check_and_train.py', ROOT, target, DEMO], env,
               cwd=str(work))
    assert f'MMSSL_FROM {target}' in out
    assert glob.glob(str(work / 'work_api' / '*' / '*.log'))

    out = _run([py, '-m', 'mim', 'train', 'mmssl', 'user_cfg.py',
                '--gpus', '0', '--work-dir', 'work_mim'], env, cwd=str(work))
    train_script = osp.join(target, 'mmssl', '.mim', 'tools', 'train.py')
    assert f'Training command is {py}' in out and train_script in out, out
    assert 'Iter(train) [2/2]' in out, out[-3000:]
    ckpt = work / 'work_mim' / 'iter_2.pth'
    assert ckpt.exists()

    # the shipped model index, through mim
    out = _run([py, '-m', 'mim', 'search', 'mmssl', '--valid-config'], env,
               cwd=str(work))
    assert ('dense-fixmatch_deeplabv3plus_r50-d8_4xb4-explicit-89k_'
            'cityscapes-1-32') in out, out[-2000:]

    out = _run([py, '-m', 'mim', 'test', 'mmssl', 'user_cfg.py',
                '--checkpoint', str(ckpt), '--gpus', '0', '--work-dir',
                'work_mim_test'], env, cwd=str(work))
    assert osp.join(target, 'mmssl', '.mim', 'tools', 'test.py') in out
    assert 'mIoU' in out, out[-3000:]
