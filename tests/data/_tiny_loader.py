# The loader and logging of the tiny tool-test runs, in one place: a tiny
# config lists this file after its method config and takes
# `train_dataloader = {{_base_.tiny_loader}}` (MMEngine refuses the same key
# in two `_base_` files, so the values live under names of their own).
tiny_loader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(num_images=8, image_size=(64, 64)))
tiny_hooks = dict(logger=dict(interval=1))
