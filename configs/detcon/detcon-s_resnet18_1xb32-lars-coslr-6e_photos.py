# Small CPU DetCon-S on the real-photo fixture (docs/evidence.md).
_base_ = './detcon-s_resnet18_1xb32-lars-coslr-6e_scenes.py'
train_dataloader = dict(dataset=dict(source='photos'))
