# UniMatch V2 (Yang et al., "UniMatch V2: Pushing the Limit of
# Semi-Supervised Semantic Segmentation", TPAMI 2025, arXiv:2410.10777)
# around the DINOv2 ViT-B/14 + DPT segmentor of ./dpt_dinov2-b.py. Settings
# quoted from the official code (LiheYoung/UniMatch-V2, unimatch_v2.py,
# configs/*.yaml, dataset/transform.py, model/semseg/dpt.py):
# - an EMA teacher: "pred_u_w = model_ema(img_u_w).detach()" under
#   "model_ema.eval()"; kept by EMATeacherHook(decay=0.996,
#   mean_start=True): "ema_ratio = min(1 - 1 / (iters + 1), 0.996)" over
#   parameters and buffers (the dataset configs' custom_hooks);
# - "conf_thresh: 0.95" (all four yamls);
# - two strong views, each with its own CutMix box, "obtain_cutmix_box(
#   img_s1.size[0], p=0.5)" (size_min 0.02, size_max 0.4, ratio 0.3 ..
#   1/0.3), pasted from the reversed batch: "img_u_s1.flip(0)" and
#   "mask_u_w.flip(0)" -> partners='reversed';
# - "model(torch.cat((img_u_s1, img_u_s2)), comp_drop=True)": Complementary
#   Dropout on the encoder features of the pairs, Binomial(0.5) masks x 2,
#   "dropout_prob = 0.5" of the pairs perturbed (dpt.py forward);
# - "loss_u_s = (loss_u_s1 + loss_u_s2) / 2.0; loss = (loss_x + loss_u_s)
#   / 2.0", each unsupervised term "loss.sum() / (ignore_mask != 255).sum()";
# - Lu on the unlabeled loader only; no lambda ramp;
# - "evaluate(model, ...)" and "evaluate(model_ema, ...)" every epoch,
#   best.pth chosen by the student's mIoU: predict_on='student', and the
#   the configs' TeacherStudentValLoop reports both
_base_ = './dpt_dinov2-b.py'

model = dict(
    _delete_=True,
    type='UniMatchV2',
    segmentor=dict(_base_.model, data_preprocessor=None),
    data_preprocessor=dict(
        type='mmdet.MultiBranchDataPreprocessor',
        data_preprocessor=dict(
            _base_.data_preprocessor, type='mmseg.SegDataPreProcessor')),
    semi_train_cfg=dict(
        teacher='ema',
        unsup_on='unlabeled',
        unsup_weight=1.0,
        pseudo_threshold=0.95,
        mask_generator=dict(
            type='UniMatchCutMixMaskGenerator',
            prob=0.5,
            area_range=(0.02, 0.4),
            ratio_range=(0.3, 1 / 0.3)),
        feature_perturbation=dict(
            type='ComplementaryDropout', p=0.5, pair_prob=0.5),
        partners='reversed',
        stream_weights=dict(sup=1.0, s1=0.5, s2=0.5),
        loss_scale=0.5),
    semi_test_cfg=dict(predict_on='student'))
