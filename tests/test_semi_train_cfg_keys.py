"""``semi_train_cfg`` keys: every model declares the keys it reads; an
unknown key (a typo, or another model's name for a setting) fails at build
time naming the model, the key and the allowed keys. (Every shipped
config's keys are checked where the config tests load them:
tests/test_configs.py, tests/test_multitask_configs.py, and at build time
in every model-building test.)"""
import pytest

from multitask_helpers import semi_model_cfg
from semi_helpers import semi_segmentor_cfg


def _mix_cfg(**semi_train_cfg):
    cfg = semi_segmentor_cfg(
        mask_generator=dict(type='CutMixMaskGenerator'), **semi_train_cfg)
    cfg['type'] = 'MixSemiSegmentor'
    return cfg


@pytest.mark.parametrize('model,make,bad', [
    ('SemiSegmentor', semi_segmentor_cfg, 'pseudo_treshold'),
    ('SemiSegmentor', semi_segmentor_cfg, 'seg_pseudo_threshold'),
    ('MixSemiSegmentor', _mix_cfg, 'confidence_treshold'),
    ('SemiMultiTask', lambda **k: semi_model_cfg(semi_train_cfg=k),
     'pseudo_threshold'),
])
def test_unknown_key_fails_at_build_naming_allowed_keys(model, make, bad):
    import mmssl  # noqa: F401
    from mmseg.registry import MODELS
    from mmssl.models import SemiBaseModel
    klass = MODELS.get(model)
    allowed = klass.allowed_semi_train_keys()
    with pytest.raises(ValueError) as err:
        MODELS.build(make(**{bad: 0.9}))
    msg = str(err.value)
    assert model in msg and repr(bad) in msg
    for key in allowed:
        assert key in msg
    # each model's own keys and the core's are allowed, nothing else
    core = set(SemiBaseModel.allowed_semi_train_keys())
    assert core <= set(allowed)
    assert bad not in allowed


def test_allowed_keys_per_model():
    import mmssl  # noqa: F401
    from mmseg.registry import MODELS
    get = lambda name: set(MODELS.get(name).allowed_semi_train_keys())  # noqa
    assert get('SemiSegmentor') == {
        'unsup_weight', 'unsup_on', 'pseudo_label_filter',
        'pseudo_threshold', 'edge_width', 'teacher'}
    assert get('UniMatch') == get('SemiSegmentor') | {
        'mask_generator', 'feature_perturbation', 'fp_batching', 'partners',
        'stream_weights', 'loss_scale'}
    assert get('MixSemiSegmentor') == get('SemiSegmentor') | {
        'mask_generator', 'consistency_loss', 'unsup_weighting',
        'confidence_threshold', 'extra_augs'}
    assert get('SemiMultiTask') == {
        'unsup_weight', 'unsup_on', 'pseudo_label_filter',
        'unsup_task_weights', 'seg_pseudo_threshold', 'det_score_thr',
        'det_min_box_size', 'det_positives_only',
        'det_teacher_background'}
