# Supervised multi-task baseline on BDD100K (table 7, "uniform,
# fully-labeled only"): the 2,972 images labeled for both tasks.
_base_ = '../_base_/semi_multitask/supervised_bdd100k.py'
train_dataloader = dict(dataset=dict(subset='both'))
