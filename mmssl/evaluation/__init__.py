"""Evaluation metrics registered into the mmseg registries."""
from .multitask_metric import MultiTaskMetric  # noqa: F401
