# UniMatch V2 model with DINOv2 ViT-B/14 (see dpt_dinov2-s.py for the sources
# of every setting): unimatch_v2.py model_configs['base'] = features 128,
# out_channels [96, 192, 384, 768]; dpt.py intermediate_layer_idx['base'] =
# [2, 5, 8, 11]. Weights: convert dinov2_vitb14_pretrain.pth with
# tools/model_converters/dinov2_to_mmssl.py.
_base_ = './dpt_dinov2-s.py'
model = dict(
    backbone=dict(
        embed_dims=768,
        num_layers=12,
        num_heads=12,
        out_indices=(2, 5, 8, 11),
        init_cfg=dict(checkpoint='pretrained/dinov2_vitb14_mmssl.pth')),
    decode_head=dict(
        in_channels=(768, 768, 768, 768),
        embed_dims=768,
        channels=128,
        post_process_channels=[96, 192, 384, 768]))
