# Point-CMAE (Ren et al., ACCV 2024) on Point-MAE's point-patch transformer:
# 64 groups x 32 points, 384-d, 12 blocks, 6 heads, drop path 0.1; two
# random masks of 60 %, two 4-block decoders; L = 1000 * (CD1 + CD2) + L_con.
model = dict(
    type='PointCMAE',
    backbone=dict(
        type='PointPatchTransformer',
        num_groups=64,
        group_size=32,
        embed_dim=384,
        depth=12,
        num_heads=6,
        drop_path_rate=0.1),
    num_masks=2,
    mask_ratio=0.6,
    decoder_depth=4,
    decoder_heads=6,
    decoder_drop_path=0.1,
    # 'paper' (default): 1 - cos of the same co-masked token in both branches;
    # 'released': the released code's all-pairs form (see README)
    consistency='paper',
    rec_weight=1000.0,
    con_weight=1.0)
