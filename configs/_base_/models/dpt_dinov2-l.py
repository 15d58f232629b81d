# UniMatch V2 model with DINOv2 ViT-L/14 (see dpt_dinov2-s.py for the sources
# of every setting): unimatch_v2.py model_configs['large'] = features 256,
# out_channels [256, 512, 1024, 1024]; dpt.py intermediate_layer_idx['large']
# = [4, 11, 17, 23]. Weights: convert dinov2_vitl14_pretrain.pth with
# tools/model_converters/dinov2_to_mmssl.py.
_base_ = './dpt_dinov2-s.py'
model = dict(
    backbone=dict(
        embed_dims=1024,
        num_layers=24,
        num_heads=16,
        out_indices=(4, 11, 17, 23),
        init_cfg=dict(checkpoint='pretrained/dinov2_vitl14_mmssl.pth')),
    decode_head=dict(
        in_channels=(1024, 1024, 1024, 1024),
        embed_dims=1024,
        channels=256,
        post_process_channels=[256, 512, 1024, 1024]))
