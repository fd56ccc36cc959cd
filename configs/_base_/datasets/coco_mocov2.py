_base_ = './imagenet_mocov2.py'
# COCO train2017 images, no annotations, as DenseCL's COCO pretraining
train_dataloader = dict(
    dataset=dict(data_root='data/coco/', data_prefix=dict(img_path='train2017/')))
