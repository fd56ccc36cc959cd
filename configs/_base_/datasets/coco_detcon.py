_base_ = './imagenet_detcon.py'
# COCO train2017 images, no annotations
train_dataloader = dict(
    dataset=dict(data_root='data/coco/', data_prefix=dict(img_path='train2017/')))
