# Supervised multi-task baseline on the full Cityscapes train set
# (multi-task paper sec. 4.2, table 4): all 2,975 train images labeled for
# both tasks, 8 per batch (2 per GPU on 4 GPUs), 150k steps; the rest as
# supervised_cityscapes.py.
_base_ = './supervised_cityscapes.py'
max_iters = 150000
train_dataloader = dict(
    dataset=dict(subset='any', seg_split=None, det_split=None))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters)
