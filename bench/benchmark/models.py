"""The benchmark's models: torchvision's own classes (so module names and structure are those of the
real VGG-13-BN, ResNet-18, DenseNet and EfficientNet-B0) at narrow widths for 64x64 inputs, and a
relation network after Santoro et al. 2017 as the xai-canonization paper trains it on CLEVR."""
import os
import sys

import torch
from torch import nn
from torchvision.models import densenet, efficientnet, resnet, vgg, vision_transformer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixture_makers'))
from make_models import TinyResNet  # noqa: E402  (the fixtures' narrow torchvision ResNet)


def vgg13_bn(num_classes, divisor=8, dropout=0.0):
    """torchvision's VGG with cfg 'B' (VGG-13) and batch norm, every width divided by 8. At 64x64 the
    five max pools leave 2x2 cells, which the classifier (same three Linear layers) reads directly.
    Dropout is off by default (so narrow a network underfits with it) but its modules stay, so
    that the layer numbering is torchvision's (classifier.0, .3, .6)."""
    cfg = [v if v == 'M' else v // divisor for v in vgg.cfgs['B']]
    model = vgg.VGG(vgg.make_layers(cfg, batch_norm=True), num_classes=num_classes, init_weights=True)
    model.avgpool = nn.AdaptiveAvgPool2d((2, 2))
    model.classifier = nn.Sequential(
        nn.Linear(cfg[-2] * 2 * 2, 128), nn.ReLU(True), nn.Dropout(dropout),
        nn.Linear(128, 128), nn.ReLU(True), nn.Dropout(dropout),
        nn.Linear(128, num_classes))
    return model


def resnet18(num_classes):
    """ResNet-18: torchvision's ResNet forward and BasicBlock x [2, 2, 2, 2] at widths 64/4 (the
    fixtures' narrow ResNet), with layer4 strided by 2 as in torchvision (64x64 -> 2x2 cells)."""
    model = TinyResNet(resnet.BasicBlock, [2, 2, 2, 2], widths=(16, 32, 64, 128), num_classes=num_classes)
    model.inplanes = 64
    model.layer4 = model._make_layer(resnet.BasicBlock, 128, 2, stride=2)
    return model


def densenet_small(num_classes):
    """torchvision's DenseNet (dense layers with BN-ReLU-conv 1x1 bottlenecks, transitions with
    average pooling, final BN-ReLU-pool) with growth 8 and four short dense blocks."""
    return densenet.DenseNet(growth_rate=8, block_config=(2, 3, 4, 3), num_init_features=16, bn_size=2,
                             drop_rate=0, num_classes=num_classes)


def efficientnet_b0(num_classes):
    """torchvision's EfficientNet with the B0 stage table (MBConv, squeeze-excitation, SiLU) at width
    0.25 and depth 0.5. No dropout or stochastic depth: so small a network trained for a few epochs
    underfits with them (the modules stay, as identities in eval mode)."""
    settings, last_channel = efficientnet._efficientnet_conf('efficientnet_b0', width_mult=0.25, depth_mult=0.5)
    return efficientnet.EfficientNet(settings, dropout=0.0, stochastic_depth_prob=0.0,
                                     num_classes=num_classes, last_channel=last_channel)


def vit(num_classes, image_size=64, patch_size=8, num_layers=4, num_heads=4, hidden_dim=64, mlp_dim=128):
    """torchvision's VisionTransformer (class token, learned position embedding, pre-norm encoder
    blocks of multi-head self-attention and a GELU MLP) at small sizes: 64x64 inputs cut into 8x8
    patches (64 tokens and the class token), 4 blocks of 4 heads, width 64, MLP width 128. No dropout,
    as in torchvision's default."""
    return vision_transformer.VisionTransformer(image_size=image_size, patch_size=patch_size, num_layers=num_layers,
                                                num_heads=num_heads, hidden_dim=hidden_dim, mlp_dim=mlp_dim,
                                                num_classes=num_classes)


class RelationNet(nn.Module):
    """Relation network (Santoro et al. 2017) laid out as the xai-canonization paper's CLEVR model:
    a Conv-ReLU-BN encoder, each cell of its feature map an object with its (x, y) coordinates
    appended, every ordered pair of objects concatenated with the question, a 4-layer g-MLP per pair,
    the sum over pairs, and a 3-layer f-MLP (its dropout module kept, off by default: this small a
    network underfits with it). The question is the fixed-length float
    vector of clevr-lite (the paper's LSTM over words is not needed for it)."""

    def __init__(self, question_length, num_classes, channels=24, hidden=64, cells=4, dropout=0.0):
        super().__init__()
        self.cells, self.channels = cells, channels
        layers = []
        c_in = 3
        for _ in range(4):   # 64 -> 32 -> 16 -> 8 -> 4
            layers += [nn.Conv2d(c_in, channels, 3, stride=2, padding=1), nn.ReLU(), nn.BatchNorm2d(channels)]
            c_in = channels
        self.image_encoder = nn.Sequential(*layers)
        c = torch.arange(cells, dtype=torch.float32)
        c = (c - c.mean()) / c.std(unbiased=False)   # centred coordinates, as the paper's
        ys, xs = torch.meshgrid(c, c, indexing='ij')
        self.register_buffer('xy_coord', torch.stack([xs, ys], dim=2).unsqueeze(0))   # (1, H, W, 2)
        pair = 2 * (channels + 2) + question_length
        self.g1, self.g2 = nn.Linear(pair, hidden), nn.Linear(hidden, hidden)
        self.g3, self.g4 = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)
        self.f1, self.f2 = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)
        self.f3 = nn.Linear(hidden, num_classes)
        self.dropout = nn.Dropout(dropout)
        with torch.no_grad():   # f1 reads a sum over k² pairs: start it at the scale of one pair's
            self.f1.weight.mul_(1.0 / (cells * cells) ** 0.5)

    def forward(self, image, question):
        # The paper's layout: constant object counts and widths (Python ints when traced), repeat.
        k, d = self.cells * self.cells, self.channels + 2
        x = self.image_encoder(image).permute(0, 2, 3, 1)                  # (N, H, W, C)
        x = torch.cat([x, self.xy_coord.repeat(image.size(0), 1, 1, 1)], 3)
        objects = x.contiguous().view(-1, k, d)                              # (N, k, C + 2)
        x_i = torch.unsqueeze(objects, 2).repeat(1, 1, k, 1)                 # object i, over every j
        x_j = torch.unsqueeze(objects, 1).repeat(1, k, 1, 1)                 # object j, over every i
        pairs = torch.cat([x_i, x_j], 3).contiguous().view(-1, k * k, 2 * d)
        pairs = torch.cat([pairs, question.unsqueeze(1).repeat(1, k * k, 1)], 2)
        g = torch.relu(self.g1(pairs))
        g = torch.relu(self.g2(g))
        g = torch.relu(self.g3(g))
        g = torch.relu(self.g4(g))
        f = g.sum(1)
        f = torch.relu(self.f1(f))
        f = self.dropout(torch.relu(self.f2(f)))
        return self.f3(f)


SHAPES_MODELS = {
    'vgg13_bn': vgg13_bn,
    'resnet18': resnet18,
    'densenet': densenet_small,
    'efficientnet_b0': efficientnet_b0,
}
