"""mmssl: semi-supervised segmentation and multi-task learning for OpenMMLab."""
import os.path as osp

from setuptools import find_packages, setup


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
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
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
    extras_require={'tests': ['pytest']},
    license='Apache License 2.0',
    zip_safe=False,
)
