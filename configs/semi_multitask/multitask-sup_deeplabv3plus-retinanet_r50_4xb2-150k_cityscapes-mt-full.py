# Supervised multi-task baseline, full Cityscapes (table 4, "Supervised"):
# all 2,975 train images labeled for both tasks, 150k steps.
_base_ = '../_base_/semi_multitask/supervised_cityscapes-full.py'
