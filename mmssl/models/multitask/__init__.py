from .box_pseudo_labels import confident_boxes, project_boxes  # noqa: F401
from .positive_targets import positive_targets_only  # noqa: F401
from .teacher_background import (background_scores,  # noqa: F401
                                 teacher_weighted_background)
from .seg_det_network import MultiTaskSegDet  # noqa: F401
from .semi_multitask import SemiMultiTask  # noqa: F401
