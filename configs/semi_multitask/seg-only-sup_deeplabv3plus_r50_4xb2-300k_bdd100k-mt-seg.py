# Single-task supervised segmentation on BDD100K (table 7, "uniform,
# segmentation only"): the network without the detection head, the
# images labeled for segmentation; evaluated on the segmentation subset.
_base_ = '../_base_/semi_multitask/supervised_bdd100k.py'
model = dict(neck=None, bbox_head=None)
train_dataloader = dict(dataset=dict(subset='seg'))
val_evaluator = dict(tasks=('seg', ))
test_evaluator = val_evaluator
