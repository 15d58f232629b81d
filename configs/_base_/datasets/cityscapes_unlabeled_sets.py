# Cityscapes image sets without fine labels, for the full-Cityscapes
# multi-task experiments (multi-task paper sec. 4.2, table 4): train_extra
# (19,998 images; coarse labels unused) and sequence (the other frames of
# the train videos, 86,275 images without the annotated train frames).
# List them once:
#   python tools/convert_cityscapes_unlabeled.py data/cityscapes
# (writes annotations/multitask_images_{train_extra,sequence}.json: images
# labeled for no task, read by CityscapesMultiTaskDataset with the train
# set's metainfo). Configs add the pipeline:
#   dict(_base_.train_extra_dataset, pipeline=...)
train_extra_dataset = dict(
    type='CityscapesMultiTaskDataset',
    data_root='data/cityscapes/',
    ann_file='annotations/multitask_images_train_extra.json',
    data_prefix=dict(img_path='leftImg8bit/train_extra', seg_map_path=''),
    subset='none')
sequence_dataset = dict(
    type='CityscapesMultiTaskDataset',
    data_root='data/cityscapes/',
    ann_file='annotations/multitask_images_sequence.json',
    data_prefix=dict(img_path='leftImg8bit_sequence/train', seg_map_path=''),
    subset='none')
