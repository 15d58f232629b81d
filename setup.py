"""mmssl: semi-supervised segmentation and multi-task learning for OpenMMLab."""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = osp.dirname(osp.abspath(__file__))
# What OpenMMLab packages ship inside the package as ``<pkg>/.mim`` (mmseg's
# and mmdet's setup.py ``add_mim_extension``): mmengine resolves
# ``_base_ = 'mmssl::path/cfg.py'`` to ``mmssl/.mim/configs/path/cfg.py`` and
# ``mim train/test mmssl CONFIG`` runs ``mmssl/.mim/tools/train.py``.
MIM_FILES = ('configs', 'tools', 'model-index.yml')
MIM_IGNORE = shutil.ignore_patterns('__pycache__', '*.pyc', '*.pyo')


def add_mim_symlinks():
    """Editable install (``pip install -e .``, ``setup.py develop``): link
    ``mmssl/.mim/{configs,tools,model-index.yml}`` to the repository's own,
    so edits are seen at once (as mmseg does; copies on Windows)."""
    mim = osp.join(HERE, 'mmssl', '.mim')
    os.makedirs(mim, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(HERE, name), osp.join(mim, name)
        if not osp.exists(src):
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if os.name == 'nt':
            (shutil.copytree(src, dst, ignore=MIM_IGNORE) if osp.isdir(src)
             else shutil.copyfile(src, dst))
        else:
            os.symlink(osp.relpath(src, mim), dst)


class BuildPyWithMim(build_py):
    """Wheels and non-editable installs: copy configs, tools and
    model-index.yml into the built package as ``mmssl/.mim`` (fresh each
    build, so a renamed config leaves no stale copy; the source tree is not
    touched, unlike mmseg's in-tree copy)."""

    def run(self):
        super().run()
        if getattr(self, 'editable_mode', False):
            add_mim_symlinks()
            return
        mim = osp.join(self.build_lib, 'mmssl', '.mim')
        if osp.isdir(mim):
            shutil.rmtree(mim)
        os.makedirs(mim)
        for name in MIM_FILES:
            src = osp.join(HERE, name)
            if osp.isdir(src):
                shutil.copytree(src, osp.join(mim, name), ignore=MIM_IGNORE)
            elif osp.isfile(src):
                shutil.copyfile(src, osp.join(mim, name))
            else:
                raise FileNotFoundError(f'{src} is missing: it must be '
                                        'shipped in mmssl/.mim')


if any(cmd in sys.argv for cmd in ('develop', 'editable_wheel')):
    add_mim_symlinks()


def read_version():
    ns = {}
    with open(osp.join(osp.dirname(__file__), 'mmssl', 'version.py')) as f:
        exec(f.read(), ns)
    return ns['__version__']


setup(
    name='mmssl',
    version=read_version(),
    description='Semi-supervised semantic segmentation and multi-task '
    'learning (Dense FixMatch, FixMatch*, ClassMix, CutMix, DARS) for '
    'MMSegmentation and MMDetection',
    long_description=open('README.md').read() if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    python_requires='>=3.8',
    # configs/ and tools/ are not packages; they ship as mmssl/.mim (above)
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    cmdclass={'build_py': BuildPyWithMim},
    include_package_data=True,
    # Ranges a GPU cluster can satisfy. torch and mmcv are deliberately given as
    # ranges: users bring their own CUDA torch and OpenMMLab's prebuilt mmcv
    # wheel (see README "Cluster install"). Exact verified pins live in
    # requirements/verified.txt.
    install_requires=[
        'torch>=2.0',
        'mmcv>=2.0.0rc4,<2.2.0',
        'mmengine>=0.10.0,<1.0.0',
        'mmsegmentation>=1.2.0,<1.3.0',
        'mmdet>=3.3.0,<3.4.0',
        'kornia>=0.7',
        'numpy',
        'opencv-python',
        'ftfy',
        'regex',
        'pycocotools',
    ],
    extras_require={
        'tests': ['pytest', 'build'],
        # ``mim train/test/search mmssl ...``; see README "Installing from a
        # wheel, mim"
        'mim': ['openmim>=0.3.7'],
    },
    license='Apache License 2.0',
    zip_safe=False,
)
