

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
def synthetic_voc_root(tmp_path_factory):
    """A tiny synthetic VOC2012 tree (nominal 64x48; 6 train / 3 val / 6
    aug-only); returns the ``VOCdevkit/VOC2012`` folder. Do not modify it."""
    from mmssl.datasets.synthetic import generate_dataset
    root = tmp_path_factory.mktemp('synthetic_data')
    res = generate_dataset(str(root), 'voc', seed=0, num_train=6, num_val=3,
                           num_extra=6, size=(64, 48))
    return res['root']
