"""References for attention and LayerNorm models (test/fixtures/attention/, read by
test/parity/attention.test.ts): a small torchvision VisionTransformer, a small ConvNeXt and a tiny net
of the operators they do not use (GELU's tanh form, an affine-free layer norm, matmul with
broadcast batch axes, log_softmax), traced with gradients enabled, with their outputs, input gradients (torch autograd, float64) and AttnLRP /
CP-LRP relevances.

The relevances come from the propositions of AttnLRP (Achtibat et al., ICML 2024) written here as
input × modified gradient in torch autograd (no LRP library): with relevance R = y ⊙ g at every
value (g the modified gradient), each rule becomes a change of the backward pass only:
- the ε-rule on a layer, a sum (norm's stabilizer), a scaling or an added stored tensor, or a
  layer norm with its std detached: g ← g ⊙ y / stab(y) at its output, then the plain backward;
- the uniform rule on a product of two computed tensors: g ← g ⊙ y / stab(2y);
- CP-LRP: the attention weights detached before attention·V, then the ε-rule there;
- softmax: the plain gradient is Prop. 3.1 (x ⊙ (R − s ⊙ ΣR) = x ⊙ ∂s/∂xᵀ g);
- GELU by the identity rule: g_in = g ⊙ y / x;
- the generalized γ rule (zennit's four terms, docs/explain.md) on linear layers: the relevance
  at the input computed from R = y ⊙ g and returned as R_in / x.
stab(z) = z + ε·sign(z), sign(0) = +1. The output relevance is one-hot (g = onehot / y).

Cross-check: LXT (github rachtibat/LRP-eXplains-Transformers, LXT_SRC, efficient mode: its
patches for torchvision's ViT — GELU identity, LayerNorm with std detached, CP-LRP attention —
and plain gradients elsewhere) against this script's cp-lrp with ε = 1e-12 on the same ViT; and
LXT's explicit softmax and matmul rules against the rules here on random tensors. The relative
L2 distances are printed and must be below 1e-6.

Run with /usr/bin/python3 (torch 1.13, torchvision 0.14).
"""
import importlib.util
import json
import math
import os
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.models.convnext import CNBlock, CNBlockConfig, ConvNeXt, LayerNorm2d
from torchvision.models.swin_transformer import PatchMerging, SwinTransformer, _patch_merging_pad

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'attention')
LXT_SRC = os.environ.get('LXT_SRC', os.path.join(os.path.dirname(__file__), '..', '..', '..', 'ref', 'lxt'))
SEED = 2025
TARGET = [1, 3]


def stab(z, eps):
    return z + eps * (2 * (z >= 0).to(z.dtype) - 1)


class Scale(torch.autograd.Function):
    """Identity forward; backward g ⊙ y / stab(k·y): the ε-rule (k = 1) or uniform rule (k = 2);
    0 where y = ±∞ (a masked attention score: no relevance)."""

    @staticmethod
    def forward(ctx, y, eps, k):
        ctx.save_for_backward(y)
        ctx.eps, ctx.k = eps, k
        return y.clone()

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return torch.where(torch.isinf(y), torch.zeros_like(g), g * y / stab(ctx.k * y, ctx.eps)), None, None


class Identity(torch.autograd.Function):
    """The identity rule on an element-wise activation: R_in = R, so g_in = g ⊙ y / x."""

    @staticmethod
    def forward(ctx, x, fn):
        y = fn(x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return torch.where(x == 0, torch.zeros_like(g), g * y / x), None


class GradientRule(torch.autograd.Function):
    """A node without a rule: R_in = (∂y/∂z)ᵀ R, so g_in = (∂y/∂z)ᵀ (y ⊙ g) / z."""

    @staticmethod
    def forward(ctx, z, fn):
        ctx.save_for_backward(z)
        ctx.fn = fn
        return fn(z)

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        with torch.enable_grad():
            zz = z.detach().requires_grad_()
            y = ctx.fn(zz)
            r, = torch.autograd.grad(y, zz, g * y.detach())
        return torch.where(z == 0, torch.zeros_like(r), r / z), None


class Gamma(torch.autograd.Function):
    """zennit's generalized γ rule on a layer f(x; W, b) (linear or conv2d), as a modified gradient."""

    @staticmethod
    def forward(ctx, x, weight, bias, layer, gamma, eps):
        ctx.save_for_backward(x, weight, bias)
        ctx.layer, ctx.gamma, ctx.eps = layer, gamma, eps
        return layer(x, weight, bias)

    @staticmethod
    def backward(ctx, g):
        x, w, b = ctx.saved_tensors
        layer, gamma, eps = ctx.layer, ctx.gamma, ctx.eps
        with torch.enable_grad():
            y = layer(x, w, b)
            R = g * y
            xp = x.clamp(min=0).requires_grad_()
            xn = x.clamp(max=0).requires_grad_()
            wp, wn = w + gamma * w.clamp(min=0), w + gamma * w.clamp(max=0)
            bp, bn = b + gamma * b.clamp(min=0), b + gamma * b.clamp(max=0)
            zero = torch.zeros_like(b)
            # z > 0: x⁺(W + γW⁺) + x⁻(W + γW⁻) with b + γb⁺; z < 0: x⁺(W + γW⁻) + x⁻(W + γW⁺) with b + γb⁻
            pos = [layer(xp, wp, bp), layer(xn, wn, zero)]
            neg = [layer(xp, wn, bn), layer(xn, wp, zero)]
            gp = (y > 0).to(y.dtype) * R / stab(sum(pos), eps)
            gn = (y < 0).to(y.dtype) * R / stab(sum(neg), eps)
            grad_p, grad_n = torch.autograd.grad(pos + neg, [xp, xn], [gp, gp, gn, gn])
        rel = xp.detach() * grad_p + xn.detach() * grad_n
        return torch.where(x == 0, torch.zeros_like(rel), rel / x), None, None, None, None, None


def conv_layer(module):
    return lambda x, w, b: F.conv2d(x, w, b, module.stride, module.padding, module.dilation, module.groups)


class Rules:
    """How each kind of layer is treated: a composite of docs/explain.md."""

    def __init__(self, attention, linear='epsilon', eps=1e-6, gamma=0.25, stabilizer=1e-6):
        self.attention, self.linear = attention, linear  # 'uniform' | 'cp'; 'epsilon' | 'gamma'
        self.eps, self.gamma, self.stabilizer = eps, gamma, stabilizer

    def eps_out(self, y):
        return Scale.apply(y, self.eps, 1.0)

    def sum_out(self, y):
        return Scale.apply(y, self.stabilizer, 1.0)

    def dense(self, x, weight, bias, layer=F.linear):
        if self.linear == 'gamma':
            return Gamma.apply(x, weight, bias, layer, self.gamma, self.stabilizer)
        return self.eps_out(layer(x, weight, bias))

    def conv(self, module, x):
        return self.dense(x, module.weight, module.bias, conv_layer(module))

    def layer_norm(self, module, x):
        mean = x.mean(-1, keepdim=True)
        std = ((x - mean) ** 2).mean(-1, keepdim=True).add(module.eps).sqrt().detach()
        y = (x - mean) / std
        if module.weight is not None:
            y = y * module.weight + module.bias
        return self.eps_out(y)

    def gelu(self, module, x):
        return Identity.apply(x, module)

    def product(self, a, b):
        return Scale.apply(torch.matmul(a, b), self.eps, 2.0)

    def gradient(self, fn, z):
        return GradientRule.apply(z, fn)

    def attention_output(self, weights, v):
        if self.attention == 'cp':
            return self.eps_out(torch.bmm(weights.detach(), v))
        return self.product(weights, v)


class Plain(Rules):
    """The model's own forward and gradient, through the same code (checks the rewrite)."""

    def __init__(self):
        super().__init__('uniform')

    def eps_out(self, y):
        return y

    sum_out = eps_out

    def dense(self, x, weight, bias, layer=F.linear):
        return layer(x, weight, bias)

    def layer_norm(self, module, x):
        return F.layer_norm(x, module.normalized_shape, module.weight, module.bias, module.eps)

    def gelu(self, module, x):
        return module(x)

    def product(self, a, b):
        return torch.matmul(a, b)

    attention_output = product

    def gradient(self, fn, z):
        return fn(z)


# --- the ViT, rewritten with the rules (torchvision 0.14's forward, torch 1.13's attention) ------

def attention(rules, mha, x):
    n, length, e = x.shape
    h = mha.num_heads
    d = e // h
    x = x.transpose(1, 0)
    q, k, v = rules.dense(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)
    q, k, v = (t.contiguous().view(length, n * h, d).transpose(0, 1) for t in (q, k, v))
    q = rules.eps_out(q / math.sqrt(d))
    weights = torch.softmax(rules.product(q, k.transpose(-2, -1)), dim=-1)
    out = rules.attention_output(weights, v)
    out = out.transpose(0, 1).contiguous().view(length * n, e)
    out = rules.dense(out, mha.out_proj.weight, mha.out_proj.bias)
    return out.view(length, n, e).transpose(1, 0)


def vit_forward(rules, model, x):
    n = x.shape[0]
    z = rules.conv(model.conv_proj, x)
    z = z.reshape(n, model.hidden_dim, -1).permute(0, 2, 1)
    z = torch.cat([model.class_token.expand(n, -1, -1), z], dim=1)
    z = rules.eps_out(z + model.encoder.pos_embedding)
    for block in model.encoder.layers:
        y = attention(rules, block.self_attention, rules.layer_norm(block.ln_1, z))
        z = rules.sum_out(y + z)
        mlp = block.mlp
        y = rules.dense(rules.layer_norm(block.ln_2, z), mlp[0].weight, mlp[0].bias)
        y = rules.dense(rules.gelu(mlp[1], y), mlp[3].weight, mlp[3].bias)
        z = rules.sum_out(z + y)
    z = rules.layer_norm(model.encoder.ln, z)[:, 0]
    return rules.dense(z, model.heads.head.weight, model.heads.head.bias)


# --- the ConvNeXt, rewritten with the rules (torchvision 0.14's forward) ----------------------------

def layer_norm_2d(rules, module, x):
    return rules.layer_norm(module, x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


def convnext_forward(rules, model, x):
    for stage in model.features:
        for module in stage:
            if hasattr(module, 'relative_position_bias_table'):
                module.relative_position_bias_table.copy_(0.5 * torch.randn(module.relative_position_bias_table.shape, generator=generator))
            if isinstance(module, CNBlock):
                b = module.block
                y = rules.conv(b[0], x).permute(0, 2, 3, 1)
                y = rules.dense(rules.layer_norm(b[2], y), b[3].weight, b[3].bias)
                y = rules.dense(rules.gelu(b[4], y), b[5].weight, b[5].bias).permute(0, 3, 1, 2)
                x = rules.sum_out(rules.eps_out(module.layer_scale * y) + x)
            elif isinstance(module, LayerNorm2d):
                x = layer_norm_2d(rules, module, x)
            elif isinstance(module, torch.nn.Conv2d):
                x = rules.conv(module, x)
            else:
                raise TypeError(type(module))
    x = rules.sum_out(F.adaptive_avg_pool2d(x, 1))
    x = layer_norm_2d(rules, model.classifier[0], x).flatten(1)
    return rules.dense(x, model.classifier[2].weight, model.classifier[2].bias)


# --- the Swin, rewritten with the rules (torchvision 0.14's forward) -------------------------------

def window_mask(pad_h, pad_w, window, shift, num_windows):
    """The shifted-window attention mask exactly as torchvision builds it (constants, no relevance)."""
    mask = torch.zeros(pad_h, pad_w)
    count = 0
    for h in ((0, -window[0]), (-window[0], -shift[0]), (-shift[0], None)):
        for w in ((0, -window[1]), (-window[1], -shift[1]), (-shift[1], None)):
            mask[h[0]:h[1], w[0]:w[1]] = count
            count += 1
    mask = mask.view(pad_h // window[0], window[0], pad_w // window[1], window[1])
    mask = mask.permute(0, 2, 1, 3).reshape(num_windows, window[0] * window[1])
    mask = mask.unsqueeze(1) - mask.unsqueeze(2)
    return mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0)


def swin_attention(rules, module, x):
    window, heads = module.window_size, module.num_heads
    b, h, w, c = x.shape
    pad_r, pad_b = (window[1] - w % window[1]) % window[1], (window[0] - h % window[0]) % window[0]
    x = F.pad(x, (0, 0, 0, pad_r, 0, pad_b))  # the gradient: the padded positions' relevance is dropped
    _, pad_h, pad_w, _ = x.shape
    shift = [0 if window[k] >= (pad_h, pad_w)[k] else module.shift_size[k] for k in range(2)]
    if sum(shift) > 0:
        x = torch.roll(x, shifts=(-shift[0], -shift[1]), dims=(1, 2))
    num_windows = (pad_h // window[0]) * (pad_w // window[1])
    x = x.view(b, pad_h // window[0], window[0], pad_w // window[1], window[1], c)
    x = x.permute(0, 1, 3, 2, 4, 5).reshape(b * num_windows, window[0] * window[1], c)
    qkv = rules.dense(x, module.qkv.weight, module.qkv.bias)
    qkv = qkv.reshape(x.size(0), x.size(1), 3, heads, c // heads).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    q = rules.eps_out(q * (c // heads) ** -0.5)
    attn = rules.eps_out(rules.product(q, k.transpose(-2, -1)) + module.get_relative_position_bias())
    if sum(shift) > 0:
        mask = window_mask(pad_h, pad_w, window, shift, num_windows).to(x.dtype)
        attn = attn.view(x.size(0) // num_windows, num_windows, heads, x.size(1), x.size(1))
        attn = rules.eps_out(attn + mask.unsqueeze(1).unsqueeze(0)).view(-1, heads, x.size(1), x.size(1))
    weights = torch.softmax(attn, dim=-1)
    if rules.attention == 'cp':
        x = rules.eps_out(torch.matmul(weights.detach(), v))
    else:
        x = rules.product(weights, v)
    x = rules.dense(x.transpose(1, 2).reshape(x.size(0), x.size(2), c), module.proj.weight, module.proj.bias)
    x = x.view(b, pad_h // window[0], pad_w // window[1], window[0], window[1], c)
    x = x.permute(0, 1, 3, 2, 4, 5).reshape(b, pad_h, pad_w, c)
    if sum(shift) > 0:
        x = torch.roll(x, shifts=(shift[0], shift[1]), dims=(1, 2))
    return x[:, :h, :w, :]


def swin_forward(rules, model, x):
    embed = model.features[0]
    x = rules.layer_norm(embed[2], rules.conv(embed[0], x).permute(0, 2, 3, 1))
    for stage in model.features[1:]:
        if isinstance(stage, PatchMerging):
            x = rules.layer_norm(stage.norm, _patch_merging_pad(x))
            x = rules.dense(x, stage.reduction.weight, torch.zeros_like(stage.reduction.weight[:, 0]))
            continue
        for block in stage:
            x = rules.sum_out(x + swin_attention(rules, block.attn, rules.layer_norm(block.norm1, x)))
            mlp = block.mlp
            y = rules.dense(rules.layer_norm(block.norm2, x), mlp[0].weight, mlp[0].bias)
            x = rules.sum_out(x + rules.dense(rules.gelu(mlp[1], y), mlp[3].weight, mlp[3].bias))
    x = rules.layer_norm(model.norm, x).permute(0, 3, 1, 2)
    x = rules.sum_out(F.adaptive_avg_pool2d(x, 1)).flatten(1)
    return rules.dense(x, model.head.weight, model.head.bias)


# --- operators the two models do not use: GELU's tanh form, a layer norm without affine
# parameters, matmul with broadcast batch axes, log_softmax ---------------------------------------

class TinyOps(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(6, 8)
        self.act = torch.nn.GELU(approximate='tanh')
        self.norm = torch.nn.LayerNorm(8, elementwise_affine=False)
        self.fc2 = torch.nn.Linear(8, 8)
        self.fc3 = torch.nn.Linear(12, 4)

    def forward(self, x):
        return tiny_forward(Plain(), self, x)


def tiny_forward(rules, m, x):
    n = x.shape[0]
    h = rules.layer_norm(m.norm, rules.gelu(m.act, rules.dense(x, m.fc1.weight, m.fc1.bias)))  # (N, 3, 8)
    a = h.view(n, 3, 2, 4)
    b = rules.dense(h, m.fc2.weight, m.fc2.bias).view(n, 3, 4, 2)[:, :1]  # (N, 1, 4, 2): broadcast
    p = torch.softmax(rules.product(a, b).flatten(2), dim=-1)  # (N, 3, 4)
    logits = rules.dense(p.flatten(1), m.fc3.weight, m.fc3.bias)
    return rules.gradient(lambda z: torch.log_softmax(z, dim=-1), logits)


def make_tiny():
    return TinyOps()


def make_vit():
    model = torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2,
                                                 hidden_dim=16, mlp_dim=32, num_classes=5)
    with torch.no_grad():
        model.class_token.normal_(0, 0.5)
        model.encoder.pos_embedding.normal_(0, 0.5)
        model.heads.head.weight.normal_(0, 0.5)  # torchvision starts the head at zero
    return model


def make_swin():
    """9×9 tokens at 36² (patch 4), window 4: stage 1 pads to 12×12 and shifts by 2 (the mask),
    patch merging pads 9 to 10, stage 2 (5×5) pads to 8 and shifts too."""
    model = SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[2, 2], num_heads=[2, 4], window_size=[4, 4],
                            stochastic_depth_prob=0.0, num_classes=5)
    with torch.no_grad():
        for module in model.modules():  # torchvision starts its dense layers at std 0.02
            if isinstance(module, torch.nn.Linear):
                module.weight.normal_(0, 1 / math.sqrt(module.in_features))
    return model


def make_convnext():
    return ConvNeXt([CNBlockConfig(8, 16, 1), CNBlockConfig(16, None, 1)], layer_scale=0.5, num_classes=5)


def randomize(model, generator):
    """Random layer-norm affine parameters and biases (fresh ones are 1 and 0, which hide bugs)."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.LayerNorm) and module.weight is not None:
                module.weight.copy_(1 + 0.5 * torch.randn(module.weight.shape, generator=generator))
                module.bias.copy_(0.3 * torch.randn(module.bias.shape, generator=generator))
            elif isinstance(module, (torch.nn.Linear, torch.nn.Conv2d)) and module.bias is not None:
                module.bias.copy_(0.2 * torch.randn(module.bias.shape, generator=generator))
            elif isinstance(module, torch.nn.MultiheadAttention):
                module.in_proj_bias.copy_(0.2 * torch.randn(module.in_proj_bias.shape, generator=generator))
            if hasattr(module, 'relative_position_bias_table'):
                module.relative_position_bias_table.copy_(0.5 * torch.randn(module.relative_position_bias_table.shape, generator=generator))
            if isinstance(module, CNBlock):
                module.layer_scale.copy_(0.5 + torch.rand(module.layer_scale.shape, generator=generator))


COMPOSITES = {
    'attn-lrp': lambda: Rules('uniform'),
    'attn-lrp-gamma': lambda: Rules('uniform', linear='gamma', gamma=0.25),
    'cp-lrp': lambda: Rules('cp'),
}


def relevance(forward, model, x, rules, dtype):
    m = model.to(dtype)
    xs = x.detach().to(dtype).clone().requires_grad_()
    y = forward(rules, m, xs)
    onehot = torch.zeros_like(y)
    onehot[torch.arange(len(TARGET)), TARGET] = 1.0
    y.backward(onehot / y.detach())
    return (xs * xs.grad).detach()


def gradient(forward, model, x, dtype):
    m = model.to(dtype)
    xs = x.detach().to(dtype).clone().requires_grad_()
    y = forward(Plain(), m, xs)
    y[torch.arange(len(TARGET)), TARGET].sum().backward()
    return xs.grad.detach()


def rel_l2(a, b):
    return float(torch.linalg.norm((a - b).flatten()) / max(torch.linalg.norm(b.flatten()), 1e-30))


def save(name, array):
    np.save(os.path.join(OUT, f'{name}.npy'), array.detach().to(torch.float32).numpy())


# --- LXT cross-check ---------------------------------------------------------------------------

def load_lxt():
    """LXT's efficient rules and patches and its explicit functional rules, loaded by file: its
    package __init__ imports the LLM models (transformers), which this check does not need."""
    if not os.path.isdir(os.path.join(LXT_SRC, 'lxt')):
        return None
    modules = {}
    for name in ['lxt', 'lxt.efficient', 'lxt.explicit']:
        package = types.ModuleType(name)
        package.__path__ = [os.path.join(LXT_SRC, *name.split('.'))]
        sys.modules[name] = package
    for name in ['lxt.efficient.rules', 'lxt.efficient.patches', 'lxt.explicit.functional']:
        spec = importlib.util.spec_from_file_location(name, os.path.join(LXT_SRC, *name.split('.')) + '.py')
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules[name.split('.')[-1]] = module
    return modules


def patch_lxt_cp(model, patches):
    """LXT's cp_LRP map for torchvision's ViT (lxt/efficient/models/vit_torch.py: GELU by the identity
    rule, LayerNorm with its std detached, no gradient through query and key), applied to this
    model's modules rather than to their classes."""
    for module in model.modules():
        if isinstance(module, torch.nn.GELU):
            patches.patch_method(types.MethodType(patches.non_linear_forward, module), module, keep_original=True)
        elif isinstance(module, torch.nn.LayerNorm):
            patches.patch_method(types.MethodType(patches.layer_norm_forward, module), module)
        elif isinstance(module, torch.nn.MultiheadAttention):
            patches.patch_method(types.MethodType(patches.cp_multi_head_attention_forward, module), module,
                                 keep_original=True)


def lxt_cross_check(vit, x):
    lxt = load_lxt()
    if lxt is None:
        print(f'LXT not found at {LXT_SRC}: cross-check skipped')
        return None
    functional = lxt['functional']
    model = make_vit()
    model.load_state_dict(vit.state_dict())
    model = model.eval().to(torch.float64)
    patch_lxt_cp(model, lxt['patches'])
    xs = x.to(torch.float64).requires_grad_()
    y = model(xs)
    onehot = torch.zeros_like(y)
    onehot[torch.arange(len(TARGET)), TARGET] = 1.0
    y.backward(onehot / y.detach())
    ours = relevance(vit_forward, vit, x, Rules('cp', eps=1e-12, stabilizer=1e-12), torch.float64)
    distances = {'vit_cp_lrp': rel_l2(ours, (xs * xs.grad).detach())}

    # Prop. 3.1 and 3.3 against LXT's explicit rules, on random tensors (no ε in play: ε = 1e-12)
    g = torch.Generator().manual_seed(7)
    a = torch.randn(3, 4, 5, dtype=torch.float64, generator=g).requires_grad_()
    b = torch.randn(3, 5, 6, dtype=torch.float64, generator=g).requires_grad_()
    R = torch.randn(3, 4, 6, dtype=torch.float64, generator=g)
    out = functional.matmul_fn.apply(a, b, False, 1e-12)
    ra, rb = torch.autograd.grad(out, [a, b], R)
    a2, b2 = a.detach().requires_grad_(), b.detach().requires_grad_()
    y2 = Rules('uniform', eps=1e-12).product(a2, b2)
    y2.backward(R / y2.detach())
    distances['matmul_uniform'] = max(rel_l2(a2 * a2.grad, ra), rel_l2(b2 * b2.grad, rb))
    s_in = torch.randn(3, 4, 6, dtype=torch.float64, generator=g).requires_grad_()
    rs, = torch.autograd.grad(functional.softmax_fn.apply(s_in, -1), [s_in], R)
    s2 = s_in.detach().requires_grad_()
    s_out = torch.softmax(s2, -1)
    s_out.backward(R / s_out.detach())
    distances['softmax_taylor'] = rel_l2(s2 * s2.grad, rs)
    return distances


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)
    manifest = {'target': TARGET, 'models': {}}
    for name, make, forward, shape in [('vit', make_vit, vit_forward, (2, 3, 32, 32)),
                                       ('convnext', make_convnext, convnext_forward, (2, 3, 32, 32)),
                                       ('tiny_ops', make_tiny, tiny_forward, (2, 3, 6)),
                                       ('swin', make_swin, swin_forward, (2, 3, 36, 36))]:
        model = make()
        randomize(model, generator)
        model.eval()
        x = torch.randn(*shape, generator=generator)
        with torch.enable_grad():  # MultiheadAttention traced under no_grad is one fused op
            traced = torch.jit.trace(model, (x,), check_trace=False)
        traced.save(os.path.join(OUT, f'{name}.pt'))
        if name in ('vit', 'swin'):
            with torch.no_grad():  # the ViT: the fused op lrp-node refuses, with its remedy; the Swin: the same graph
                torch.jit.trace(model, (x,), check_trace=False).save(os.path.join(OUT, f'{name}_no_grad.pt'))
        np.save(os.path.join(OUT, f'{name}.input.npy'), x.numpy())
        with torch.no_grad():
            expected = model.to(torch.float64)(x.to(torch.float64))
            rewritten = forward(Plain(), model, x.to(torch.float64))
        assert rel_l2(rewritten, expected) < 1e-12, f'{name}: the rewritten forward differs from the model'
        save(f'{name}.output', expected)
        grad64 = gradient(forward, model, x, torch.float64)
        assert rel_l2(grad64, gradient(lambda r, m, v: m(v), model, x, torch.float64)) < 1e-12
        save(f'{name}.gradient', grad64)
        cases = {'gradient': {'float32VsFloat64': rel_l2(gradient(forward, model, x, torch.float32), grad64)}}
        for composite, rules in COMPOSITES.items():
            r64 = relevance(forward, model, x, rules(), torch.float64)
            r32 = relevance(forward, model, x, rules(), torch.float32)
            save(f'{name}.{composite}', r64)
            cases[composite] = {'float32VsFloat64': rel_l2(r32.to(torch.float64), r64)}
        manifest['models'][name] = cases
        model.to(torch.float32)
        if name == 'vit':
            distances = lxt_cross_check(model, x)
            if distances is not None:
                print('LXT cross-check (relative L2):', distances)
                assert max(distances.values()) < 1e-6, distances
                manifest['lxt'] = distances
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write('\n')
    print(json.dumps(manifest, indent=1))


if __name__ == '__main__':
    main()
