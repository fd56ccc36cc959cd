# Small CPU DetCon-B on the real-photo fixture (scikit-image photographs,
# docs/evidence.md): the scenes config with the photo source.
_base_ = './detcon-b_resnet18_1xb32-lars-coslr-6e_scenes.py'
train_dataloader = dict(dataset=dict(source='photos'))
