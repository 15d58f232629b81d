from .head_outputs import (PER_PART_HEADS, head_list,  # noqa: F401
                           precomputed_forward, slice_batch)
from .labeled_flags import labeled_flags, labeled_index  # noqa: F401
from .seg_pseudo_labels import match_seg_pseudo_labels  # noqa: F401
from .semi_batch import PseudoTargets, SemiBatch, UnsupBatch  # noqa: F401
from .view_geometry import (batch_frame_metas, stack_homographies,  # noqa
                            strong_ignore_region, valid_hw)
from .view_matching import (homography_grid, relative_homography,  # noqa: F401
                            warp_labels, warp_probs)
from .feature_perturbation import (ComplementaryDropout,  # noqa: F401
                                   FeatureDropout, cat_batch,
                                   map_features)
