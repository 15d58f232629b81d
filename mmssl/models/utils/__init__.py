
from .pseudo_label import hard_pseudo_labels  # noqa: F401
from .view_matching import (homography_grid, relative_homography,  # noqa: F401
                            warp_labels, warp_probs)
