# PointContrast (PointInfoNCE) on MinkUNet34C, the official Res16UNet34C:
# stem k3 (conv1_kernel_size=3), 32-d L2-normalised output (model_n_out=32),
# colour input; nceT 0.4, npos 4096, positives within 1.5 voxels.
model = dict(
    type='PointContrast',
    temperature=0.4,
    num_pairs=4096,
    match_radius=0.025 * 1.5,
    backbone=dict(type='MinkUNet', in_channels=3, out_channels=32, depth=34,
                  planes=(32, 64, 128, 256, 256, 128, 96, 96),
                  stem_kernel_size=3))
