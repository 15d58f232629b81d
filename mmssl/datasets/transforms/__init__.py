
from .cutout import Cutout  # noqa: F401
from .exact_geometric import (  # noqa: F401
    ExactResize, ExactRotate, ExactShearX, ExactShearY, ExactTranslateX,
    ExactTranslateY)
from .semi_views import SemiViews  # noqa: F401
from .loading import (LoadCheckedAnnotations, LoadCheckedImageFromFile,  # noqa: F401,E501
                      LoadEmptySegMap)
from .multitask_loading import LoadMultiTaskAnnotations  # noqa: F401
from .multitask_packing import PackMultiTaskInputs  # noqa: F401
from .gaussian_blur import RandomGaussianBlur  # noqa: F401
from .photometric import ColorJitter, PILGaussianBlur  # noqa: F401
from .long_side_rescale import RandomLongSideRescale  # noqa: F401
from .nearest_multiple_resize import ResizeToNearestMultiple  # noqa: F401
from .remap_labels import RemapLabels  # noqa: F401
