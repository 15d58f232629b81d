
from .explicit_semi_sampler import ExplicitSemiSampler  # noqa: F401
from .implicit_semi_sampler import ImplicitSemiSampler  # noqa: F401
