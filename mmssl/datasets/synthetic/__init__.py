"""Small deterministic synthetic datasets in the real Cityscapes and Pascal
VOC 2012 (+ SBD aug) on-disk formats; see ``docs/synthetic_data.md``."""
from .cityscapes import CityscapesSceneGenerator, generate_cityscapes
from .generate import (DATASET_DIRS, DEFAULT_SIZE, GENERATOR_VERSION,
                       generate_dataset, generate_datasets)
from .voc import VOCSceneGenerator, generate_voc, voc_palette

__all__ = [
    'CityscapesSceneGenerator', 'VOCSceneGenerator', 'generate_cityscapes',
    'generate_voc', 'generate_dataset', 'generate_datasets', 'voc_palette',
    'DATASET_DIRS', 'DEFAULT_SIZE', 'GENERATOR_VERSION'
]
