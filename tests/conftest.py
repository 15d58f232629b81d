

# --- synthetic datasets (tests/test_synthetic_datasets.py, test_splits.py,
# test_data_errors.py): tiny generated Cityscapes / VOC trees, made once.
import pytest  # noqa: E402


@pytest.fixture(scope='session')
def synthetic_cityscapes_root(tmp_path_factory):
    """A tiny synthetic Cityscapes tree (64x32; 6 train / 3 val / 4 extra
    over 2 cities); returns the ``cityscapes`` folder. Do not modify it."""
    from mmssl.datasets.synthetic import generate_dataset
    root = tmp_path_factory.mktemp('synthetic_data')
    res = generate_dataset(str(root), 'cityscapes', seed=0, num_train=6,
                           num_val=3, num_extra=4, size=(64, 32),
                           num_cities=2)
    return res['root']


@pytest.fixture(scope='session')
def class_cue_roots(tmp_path_factory):
    """The same two tiny Cityscapes scenes (64x32) plain, tinted
    (``class_tint=0.5``) and tinted + textured (``class_texture=32``):
    ``{'plain': root, 'tinted': root, 'textured': root}``. Do not modify
    them."""
    from mmssl.datasets.synthetic import generate_dataset
    d = tmp_path_factory.mktemp('class_cues')
    kw = dict(seed=3, num_train=2, num_val=0, num_extra=0, size=(64, 32),
              num_cities=1)
    cues = dict(plain={}, tinted=dict(class_tint=0.5),
                textured=dict(class_tint=0.5, class_texture=32))
    return {k: generate_dataset(str(d / k), 'cityscapes', **kw, **c)['root']
            for k, c in cues.items()}


@pytest.fixture(scope='session')
def synthetic_voc_root(tmp_path_factory):
    """A tiny synthetic VOC2012 tree (nominal 64x48; 6 train / 3 val / 6
    aug-only); returns the ``VOCdevkit/VOC2012`` folder. Do not modify it."""
    from mmssl.datasets.synthetic import generate_dataset
    root = tmp_path_factory.mktemp('synthetic_data')
    res = generate_dataset(str(root), 'voc', seed=0, num_train=6, num_val=3,
                           num_extra=6, size=(64, 48))
    return res['root']


@pytest.fixture(scope='session')
def synthetic_ade20k_root(tmp_path_factory):
    """A tiny synthetic ADEChallengeData2016 tree (64x48; 6 training / 2
    validation images, UniMatch V2's 0..149 + 255 annotations); returns the
    ``ADEChallengeData2016`` folder. Do not modify it."""
    from mmssl.datasets.synthetic import generate_dataset
    root = tmp_path_factory.mktemp('synthetic_data')
    res = generate_dataset(str(root), 'ade20k', seed=0, num_train=6,
                           num_val=2, size=(64, 48))
    return res['root']


@pytest.fixture(scope='session')
def synthetic_coco_root(tmp_path_factory):
    """A tiny synthetic COCO-81 tree (nominal 64x48; 6 train2017 / 2
    val2017 images, masks/ 0..80); returns the ``coco`` folder. Do not
    modify it."""
    from mmssl.datasets.synthetic import generate_dataset
    root = tmp_path_factory.mktemp('synthetic_data')
    res = generate_dataset(str(root), 'coco', seed=0, num_train=6,
                           num_val=2, size=(64, 48))
    return res['root']


# --- tools run as subprocesses on the tiny configs (test_tools_e2e.py,
# test_stock_mmseg_tools.py)
import os  # noqa: E402
import os.path as osp  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TESTS = osp.join(ROOT, 'tests')


@pytest.fixture(scope='session')
def tiny_env(synthetic_cityscapes_root, tmp_path_factory):
    """Environment for subprocesses running the tiny configs
    (tests/configs/tiny_*.py) on the generated data: a 2-labeled split
    and the repository and tests/ on PYTHONPATH."""
    out = str(tmp_path_factory.mktemp('splits'))
    subprocess.run([
        sys.executable, 'tools/make_splits.py', '--dataset', 'cityscapes',
        '--data-root', synthetic_cityscapes_root, '--out', out,
        '--num-labeled', '2', '--num-splits', '1'
    ], cwd=ROOT, check=True, capture_output=True)
    env = dict(os.environ)
    env.update(
        MMSSL_TEST_DATA_ROOT=synthetic_cityscapes_root + '/',
        MMSSL_TEST_LABELED=osp.join(out, '2', 'split0', 'labeled.txt'),
        MMSSL_TEST_UNLABELED=osp.join(out, '2', 'split0', 'unlabeled.txt'),
        PYTHONPATH=os.pathsep.join([ROOT, TESTS,
                                    env.get('PYTHONPATH', '')]),
        PYTHON=sys.executable,
        OMP_NUM_THREADS='1',
        PYTHONUNBUFFERED='1')
    return env


@pytest.fixture(scope='session')
def multitask_gen_root(tmp_path_factory):
    """4 generated Cityscapes train images (128x64) with derived boxes for
    the multi-task model tests: ``(root, ann_dir)``. Do not modify them."""
    from multitask_helpers import generated_multitask_root
    return generated_multitask_root(str(tmp_path_factory.mktemp('mt_gen')))
