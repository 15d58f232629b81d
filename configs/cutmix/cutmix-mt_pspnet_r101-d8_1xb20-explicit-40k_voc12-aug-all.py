# CutMix mean teacher (French et al.), PSPNet R101-D8 (no auxiliary loss, D.4.3), Pascal VOC "All (10582)": the whole aug
# set labeled and also used unlabeled (regime `aug-all`, as French et al.'s
# unsupervised set), split 0; otherwise as the aug 1/8 config.
_base_ = './cutmix-mt_pspnet_r101-d8_1xb20-explicit-40k_voc12-aug-1-8.py'
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/aug-all/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/aug-all/split0/unlabeled.txt')))
