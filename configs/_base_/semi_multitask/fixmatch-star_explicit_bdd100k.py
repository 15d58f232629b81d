# FixMatch* multi-task on BDD100K (multi-task paper sec. 4.3, table 7): the
# Dense FixMatch BDD100K config with the FixMatch* views (one shared scale
# and crop, photometric-only strong view).
_base_ = './dense-fixmatch_explicit_bdd100k.py'
train_dataloader = dict(
    dataset=dict(
        labeled=dict(pipeline=_base_.multitask_loading +
                     [_base_.fixmatch_star_views]),
        unlabeled=dict(pipeline=_base_.multitask_loading +
                       [_base_.fixmatch_star_views])))
