# Single-task supervised detection on BDD100K (table 7, "uniform,
# detection only"): the network without the segmentation head, the
# images labeled for detection; evaluated on the detection subset.
_base_ = '../_base_/semi_multitask/supervised_bdd100k.py'
model = dict(decode_head=None)
train_dataloader = dict(dataset=dict(subset='det'))
val_evaluator = dict(tasks=('det', ))
test_evaluator = val_evaluator
