
from .view_matching import (homography_grid, relative_homography,  # noqa: F401
                            warp_labels, warp_probs)
