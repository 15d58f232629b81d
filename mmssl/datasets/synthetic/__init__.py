"""Small deterministic synthetic datasets in the real Cityscapes, Pascal
VOC 2012 (+ SBD aug), BDD100K (100K detection + 10K segmentation), ADE20K
(ADEChallengeData2016) and COCO-81 (UniMatch's masks) on-disk formats; see
``docs/synthetic_data.md``."""
from .ade20k import CITYSCAPES_TO_ADE20K, generate_ade20k
from .bdd100k import DET_CATEGORIES as BDD100K_DET_CATEGORIES
from .bdd100k import generate_bdd100k
from .cityscapes import CityscapesSceneGenerator, generate_cityscapes
from .coco import VOC_TO_COCO81, generate_coco
from .generate import (DATASET_DIRS, DEFAULT_SIZE, GENERATOR_VERSION,
                       generate_dataset, generate_datasets)
from .voc import VOCSceneGenerator, generate_voc, voc_palette

__all__ = [
    'CityscapesSceneGenerator', 'VOCSceneGenerator', 'generate_cityscapes',
    'generate_voc', 'generate_dataset', 'generate_datasets', 'voc_palette',
    'DATASET_DIRS', 'DEFAULT_SIZE', 'GENERATOR_VERSION', 'generate_bdd100k',
    'BDD100K_DET_CATEGORIES', 'generate_ade20k', 'generate_coco',
    'CITYSCAPES_TO_ADE20K', 'VOC_TO_COCO81'
]
