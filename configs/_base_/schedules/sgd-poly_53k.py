# Pascal VOC: ~52,910 updates (80 epochs of the 10,582-image aug set at 16).
_base_ = './sgd-poly_89k.py'
max_iters = 52910
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
