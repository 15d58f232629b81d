# Supervised multi-task baseline on BDD100K (table 7, "uniform,
# partially-labeled"): every training image labeled for at least one task.
_base_ = '../_base_/semi_multitask/supervised_bdd100k.py'
train_dataloader = dict(dataset=dict(subset='any'))
