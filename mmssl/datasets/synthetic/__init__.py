"""Small deterministic synthetic datasets in the real Cityscapes, Pascal
VOC 2012 (+ SBD aug) and BDD100K (100K detection + 10K segmentation)
on-disk formats; see ``docs/synthetic_data.md``."""
from .bdd100k import DET_CATEGORIES as BDD100K_DET_CATEGORIES
from .bdd100k import generate_bdd100k
from .cityscapes import CityscapesSceneGenerator, generate_cityscapes
from .generate import (DATASET_DIRS, DEFAULT_SIZE, GENERATOR_VERSION,
                       generate_dataset, generate_datasets)
from .voc import VOCSceneGenerator, generate_voc, voc_palette

__all__ = [
    'CityscapesSceneGenerator', 'VOCSceneGenerator', 'generate_cityscapes',
    'generate_voc', 'generate_dataset', 'generate_datasets', 'voc_palette',
    'DATASET_DIRS', 'DEFAULT_SIZE', 'GENERATOR_VERSION', 'generate_bdd100k',
    'BDD100K_DET_CATEGORIES'
]
