from . import samplers, transforms  # noqa: F401
from .checked_datasets import (SemiADE20KDataset,  # noqa: F401
                               SemiCityscapesDataset, SemiPascalVOCDataset)
from .coco81 import COCO81_CLASSES, SemiCOCO81Dataset  # noqa: F401
from .semi_dataset import SemiDataset  # noqa: F401
from .multitask_dataset import (BDD100KMultiTaskDataset,  # noqa: F401
                                CityscapesMultiTaskDataset, MultiTaskDataset)
