"""Mixing strategies (ClassMix, CutMix, Cutout, UniMatch's CutMix) for the
semi core."""
from .box_masks import (CutMixMaskGenerator, CutoutMaskGenerator,  # noqa
                        boxes_to_mask, sample_boxes)
from .classmix_mask import ClassMixMaskGenerator
from .intensity_augs import IntensityAugs, build_intensity_augs
from .mix_targets import mix, mix_targets
from .partners import choose_partners
from .unimatch_box_mask import UniMatchCutMixMaskGenerator

__all__ = [
    'ClassMixMaskGenerator', 'CutMixMaskGenerator', 'CutoutMaskGenerator',
    'IntensityAugs', 'build_intensity_augs', 'boxes_to_mask', 'choose_partners',
    'mix', 'mix_targets', 'sample_boxes', 'UniMatchCutMixMaskGenerator'
]
