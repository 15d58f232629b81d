from . import samplers, transforms  # noqa: F401
from .checked_datasets import (SemiCityscapesDataset,  # noqa: F401
                               SemiPascalVOCDataset)
from .semi_dataset import SemiDataset  # noqa: F401
from .multitask_dataset import (BDD100KMultiTaskDataset,  # noqa: F401
                                CityscapesMultiTaskDataset, MultiTaskDataset)
