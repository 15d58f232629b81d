
from .view_matching import (homography_grid, relative_homography,  # noqa: F401
                            warp_labels, warp_probs)
from .view_geometry import (batch_frame_metas, stack_homographies,  # noqa
                            strong_ignore_region, valid_hw)
