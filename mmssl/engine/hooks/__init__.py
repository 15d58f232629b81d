
from .ema_teacher_hook import EMATeacherHook  # noqa: F401
from .unsup_weight_hook import UnsupWeightHook  # noqa: F401
from .pseudo_label_vis_hook import PseudoLabelVisualizationHook  # noqa: F401
from .rng_state_hook import RNGStateHook  # noqa: F401
