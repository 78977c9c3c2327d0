"""References for AttnLRP's rules on every rank and layer kind they meet (test/fixtures/attention_ranks/,
read by test/parity/attention_rank_parity.test.ts).

One tiny traced model per case: the operator under test reads the model's input (or dense layers
of it, for the products and GELU), and a dense head reads the flattened result. The cases:
- layer norm (rule constant-std) on 2-D, 3-D and 4-D channels-last input, with and without the
  affine parameters, and over two trailing axes;
- softmax (softmax-taylor) of rank 2, 3, 4 over the last axis and over another one, with masked
  positions (a stored −inf added before the softmax) that must get zero relevance;
- products of two computed tensors (uniform): matmul 2-D × 2-D, bmm 3-D, matmul of 4-D batched
  heads, an element-wise product, and a 4-D attention block (softmax(QKᵀ + mask) V, where
  constant-attention applies);
- GELU (exact and tanh) on ranks 2–4 by the identity rule (pass), after a dense layer on input of
  that rank, so attn-lrp-gamma puts γ on dense layers reading 3-D and 4-D input.

Each case is explained with its rule alone (a name map: the other layers take the gradient, as
lrp-node's name-map leaves them) and with the composites attn-lrp, attn-lrp-gamma and cp-lrp. The
references are AttnLRP's propositions as input × modified gradient in torch autograd, the
machinery of make_attention_references.py (its Scale, Identity, GradientRule and Gamma), in
float64 and float32; the manifest keeps their relative L2 distance for the test's tolerance.

Run with /usr/bin/python3 (torch 1.13).
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from make_attention_references import Gamma, Identity, Scale, rel_l2  # noqa: E402

OUT = os.path.join(HERE, '..', 'fixtures', 'attention_ranks')
SEED = 4040
NEG_INF = float('-inf')


def finite_product(y, g):
    """y ⊙ g with 0 where y = ±∞ (a masked position: no relevance, g = 0 there)."""
    return torch.where(torch.isinf(y), torch.zeros_like(g), y * g)


class GradientRule(torch.autograd.Function):
    """A node without a rule, with one or two computed inputs: R_in = (∂y/∂z)ᵀ R, so
    g_in = (∂y/∂z)ᵀ (y ⊙ g) / z (0 where z = 0)."""

    @staticmethod
    def forward(ctx, fn, *zs):
        ctx.save_for_backward(*zs)
        ctx.fn = fn
        return fn(*zs)

    @staticmethod
    def backward(ctx, g):
        zs = ctx.saved_tensors
        with torch.enable_grad():
            leaves = [z.detach().requires_grad_() for z in zs]
            y = ctx.fn(*leaves)
            rs = torch.autograd.grad(y, leaves, finite_product(y.detach(), g))
        return (None, *[torch.where(z == 0, torch.zeros_like(r), r / z) for z, r in zip(zs, rs)])


class Rules:
    """Where each rule goes: `alone` is a name map (one category gets `rule`, all else the
    gradient); otherwise a composite of docs/explain.md."""

    def __init__(self, composite=None, alone=None, rule=None, eps=1e-6, gamma=0.25, stabilizer=1e-6):
        self.composite, self.alone, self.rule = composite, alone, rule or {}
        self.eps = self.rule.get('epsilon', eps)
        self.gamma, self.stabilizer = gamma, stabilizer

    def ruled(self, category):
        return self.composite is not None or self.alone == category

    def dense(self, layer, x):
        if self.composite == 'attn-lrp-gamma':
            return Gamma.apply(x, layer.weight, layer.bias, F.linear, self.gamma, self.stabilizer)
        if self.composite is not None:
            return Scale.apply(layer(x), self.eps, 1.0)
        return GradientRule.apply(layer, x)

    def layer_norm(self, module, x):
        """constant-std (Prop. 3.4): σ detached, then the ε-rule on the affine map."""
        if not self.ruled('layer-norm'):
            return GradientRule.apply(module, x)
        axes = tuple(range(-len(module.normalized_shape), 0))
        mean = x.mean(axes, keepdim=True)
        std = ((x - mean) ** 2).mean(axes, keepdim=True).add(module.eps).sqrt().detach()
        y = (x - mean) / std
        if module.weight is not None:
            y = y * module.weight + module.bias
        return Scale.apply(y, self.eps, 1.0)

    def softmax(self, x, dim):
        """softmax-taylor (Prop. 3.1) is the softmax's own gradient in this formulation."""
        fn = lambda z: torch.softmax(z, dim)  # noqa: E731
        return fn(x) if self.ruled('softmax') else GradientRule.apply(fn, x)

    def add_stored(self, x, stored):
        """An added stored tensor (the mask): the ε-rule in the composites, else the gradient."""
        if self.composite is not None:
            return Scale.apply(x + stored, self.eps, 1.0)
        return GradientRule.apply(lambda z: z + stored, x)

    def product(self, fn, a, b, category, softmax_operand=None):
        """uniform (Prop. 3.2–3.3): g ← g ⊙ y / stab(2y); constant-attention (CP-LRP): the softmax
        operand (0 or 1) held constant, the ε-rule on the product."""
        name = 'constant-attention' if self.composite == 'cp-lrp' else self.rule.get('rule')
        if self.composite is not None and name != 'constant-attention':
            name = 'uniform'
        if not self.ruled(category):
            return GradientRule.apply(fn, a, b)
        if name == 'constant-attention' and softmax_operand is not None:
            a, b = (a.detach(), b) if softmax_operand == 0 else (a, b.detach())
            return Scale.apply(fn(a, b), self.eps, 1.0)
        return Scale.apply(fn(a, b), self.eps, 2.0)

    def gelu(self, module, x):
        return Identity.apply(x, module) if self.ruled('activation') else GradientRule.apply(module, x)


class Plain(Rules):
    def dense(self, layer, x):
        return layer(x)

    def layer_norm(self, module, x):
        return module(x)

    def softmax(self, x, dim):
        return torch.softmax(x, dim)

    def add_stored(self, x, stored):
        return x + stored

    def product(self, fn, a, b, category, softmax_operand=None):
        return fn(a, b)

    def gelu(self, module, x):
        return module(x)


class Case(nn.Module):
    """The model of one case: `body(rules, self, x)` then a dense head on the flattened result."""

    def __init__(self, body, features, **modules):
        super().__init__()
        self.body = body
        for key, module in modules.items():
            setattr(self, key, module)
        self.head = nn.Linear(features, 4)

    def forward(self, x):
        return run(Plain(), self, x)


def run(rules, model, x):
    return rules.dense(model.head, model.body(rules, model, x).flatten(1))


def layer_norm_case(shape, affine=True, axes=1):
    normalized = list(shape[-axes:])
    body = lambda r, m, x: r.layer_norm(m.norm, x)  # noqa: E731
    return Case(body, int(np.prod(shape[1:])), norm=nn.LayerNorm(normalized, elementwise_affine=affine)), shape


def masked(shape, dim):
    """A stored mask of −inf on a few positions along `dim` (never a whole softmax row)."""
    mask = torch.zeros(shape[1:])
    index = [slice(None)] * mask.dim()
    index[dim - 1 if dim > 0 else dim] = 1
    mask[tuple(index)] = NEG_INF
    return mask


def softmax_case(shape, dim, mask=False):
    def body(r, m, x):
        if mask:
            x = r.add_stored(x, m.mask)
        return r.softmax(x, dim)
    case = Case(body, int(np.prod(shape[1:])))
    case.dim = dim
    if mask:
        case.register_buffer('mask', masked(shape, dim if dim < 0 else dim))
    return case, shape


def product_case(kind, shape):
    """Two dense layers of the input (6 features each), multiplied."""
    def body(r, m, x):
        a, b = r.dense(m.fa, x), r.dense(m.fb, x)
        if kind == 'matmul2d':  # (3, 6) × (6, 3)
            return r.product(torch.matmul, a, b.t(), 'attention-product')
        if kind == 'bmm3d':  # (N, 3, 6) × (N, 6, 3)
            return r.product(torch.bmm, a, b.transpose(1, 2), 'attention-product')
        heads = lambda t: t.view(t.shape[0], t.shape[1], 2, 3).transpose(1, 2)  # noqa: E731  (N, 2 heads, L, 3)
        if kind == 'matmul4d':
            return r.product(torch.matmul, heads(a), heads(b).transpose(-2, -1), 'attention-product')
        if kind == 'mul3d':
            return r.product(torch.mul, a, b, 'product')
        if kind == 'attention4d':  # softmax(QKᵀ + causal mask) V
            v = heads(r.dense(m.fv, x))
            scores = r.product(torch.matmul, heads(a), heads(b).transpose(-2, -1), 'attention-product')
            weights = r.softmax(r.add_stored(scores, m.mask), -1)
            return r.product(torch.matmul, weights, v, 'attention-product', softmax_operand=0)
        raise ValueError(kind)
    out = {'matmul2d': 3, 'bmm3d': 9, 'matmul4d': 18, 'mul3d': 18, 'attention4d': 18}[kind]
    modules = {'fa': nn.Linear(shape[-1], 6), 'fb': nn.Linear(shape[-1], 6)}
    if kind == 'attention4d':
        modules['fv'] = nn.Linear(shape[-1], 6)
    case = Case(body, out, **modules)
    if kind == 'attention4d':
        case.register_buffer('mask', torch.triu(torch.full((3, 3), NEG_INF), diagonal=1))
    return case, shape


def gelu_case(shape, approximate='none'):
    body = lambda r, m, x: r.gelu(m.act, r.dense(m.fc, x))  # noqa: E731
    return Case(body, int(np.prod(shape[1:-1])) * 5, fc=nn.Linear(shape[-1], 5), act=nn.GELU(approximate=approximate)), shape


CASES = {
    'layer_norm_2d': (lambda: layer_norm_case((2, 6)), 'layer-norm'),
    'layer_norm_2d_plain': (lambda: layer_norm_case((2, 6), affine=False), 'layer-norm'),
    'layer_norm_3d': (lambda: layer_norm_case((2, 3, 6)), 'layer-norm'),
    'layer_norm_3d_plain': (lambda: layer_norm_case((2, 3, 6), affine=False), 'layer-norm'),
    'layer_norm_4d': (lambda: layer_norm_case((2, 3, 4, 6)), 'layer-norm'),
    'layer_norm_4d_plain': (lambda: layer_norm_case((2, 3, 4, 6), affine=False), 'layer-norm'),
    'layer_norm_4d_two_axes': (lambda: layer_norm_case((2, 3, 4, 6), axes=2), 'layer-norm'),
    'softmax_2d_masked': (lambda: softmax_case((2, 6), -1, mask=True), 'softmax'),
    'softmax_3d_last': (lambda: softmax_case((2, 3, 6), -1), 'softmax'),
    'softmax_3d_dim1_masked': (lambda: softmax_case((2, 3, 6), 1, mask=True), 'softmax'),
    'softmax_4d_last_masked': (lambda: softmax_case((2, 2, 3, 4), -1, mask=True), 'softmax'),
    'softmax_4d_dim1': (lambda: softmax_case((2, 2, 3, 4), 1), 'softmax'),
    'matmul_2d': (lambda: product_case('matmul2d', (3, 5)), 'attention-product'),
    'bmm_3d': (lambda: product_case('bmm3d', (2, 3, 5)), 'attention-product'),
    'matmul_4d': (lambda: product_case('matmul4d', (2, 3, 5)), 'attention-product'),
    'mul_3d': (lambda: product_case('mul3d', (2, 3, 5)), 'product'),
    'attention_4d': (lambda: product_case('attention4d', (2, 3, 5)), 'attention-product'),
    'gelu_2d': (lambda: gelu_case((2, 6)), 'activation'),
    'gelu_3d_tanh': (lambda: gelu_case((2, 3, 6), 'tanh'), 'activation'),
    'gelu_4d': (lambda: gelu_case((2, 3, 4, 6)), 'activation'),
}

# The rule(s) each category is checked with alone (lrp-node rule specs).
ALONE = {
    'layer-norm': [{'rule': 'constant-std'}, {'rule': 'constant-std', 'epsilon': 0.25}],
    'softmax': [{'rule': 'softmax-taylor'}],
    'attention-product': [{'rule': 'uniform'}, {'rule': 'uniform', 'epsilon': 0.25}],
    'product': [{'rule': 'uniform'}],
    'activation': [{'rule': 'pass'}],
}
COMPOSITES = ['attn-lrp', 'attn-lrp-gamma', 'cp-lrp']


def randomize(model, generator):
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.LayerNorm) and module.weight is not None:
                module.weight.copy_(1 + 0.5 * torch.randn(module.weight.shape, generator=generator))
                module.bias.copy_(0.3 * torch.randn(module.bias.shape, generator=generator))
            elif isinstance(module, nn.Linear):
                module.bias.copy_(0.2 * torch.randn(module.bias.shape, generator=generator))


def relevance(model, x, rules, target, dtype):
    m = model.to(dtype)
    xs = x.detach().to(dtype).clone().requires_grad_()
    y = run(rules, m, xs)
    onehot = torch.zeros_like(y)
    onehot[torch.arange(len(target)), target] = 1.0
    y.backward(onehot / y.detach())
    return (xs * xs.grad).detach()


def softmax_alone(model, x, dim, target, dtype):
    """softmax-taylor alone on mask-add → softmax → flatten → head, in relevance space (Prop. 3.1
    as LXT's explicit softmax rule writes it): the head and the mask's add take the gradient, so
    R_s = Wᵀ onehot, R_z = z ⊙ (R_s − s ⊙ Σ R_s) (0 where z = −∞), R_x = R_z. Input × modified
    gradient cannot carry the head's relevance at a masked output (s = 0, so R = s ⊙ g = 0 there),
    where this form keeps it in Σ R_s."""
    m = model.to(dtype)
    z = x.to(dtype) + (m.mask if hasattr(m, 'mask') else 0)
    s = torch.softmax(z, dim)
    onehot = torch.zeros(len(target), 4, dtype=dtype)
    onehot[torch.arange(len(target)), target] = 1.0
    r_s = (onehot @ m.head.weight).view(s.shape)
    taylor = r_s - s * r_s.sum(dim, keepdim=True)
    return (torch.where(torch.isneginf(z), torch.zeros_like(z), z) * taylor).detach()


def main():
    os.makedirs(OUT, exist_ok=True)
    generator = torch.Generator().manual_seed(SEED)
    manifest = {'cases': {}}
    for name, (make, category) in CASES.items():
        torch.manual_seed(SEED)
        model, shape = make()
        randomize(model, generator)
        model.eval()
        x = torch.randn(*shape, generator=generator)
        target = [1, 3, 0][:shape[0]]
        torch.jit.trace(model, (x,), check_trace=False).save(os.path.join(OUT, f'{name}.pt'))
        np.save(os.path.join(OUT, f'{name}.input.npy'), x.numpy())
        with torch.no_grad():
            np.save(os.path.join(OUT, f'{name}.output.npy'), model(x).numpy())
        configs = {f'alone-{k}': {'rules': Rules(alone=category, rule=spec), 'rule': spec} for k, spec in enumerate(ALONE[category])}
        if name == 'attention_4d':
            spec = {'rule': 'constant-attention'}
            configs['alone-constant-attention'] = {'rules': Rules(alone=category, rule=spec), 'rule': spec}
        configs.update({c: {'rules': Rules(composite=c), 'composite': c} for c in COMPOSITES})
        entries = {}
        for key, config in configs.items():
            r64 = relevance(model, x, config['rules'], target, torch.float64)
            r32 = relevance(model, x, config['rules'], target, torch.float32)
            if category == 'softmax' and key.startswith('alone'):
                dim = model.dim
                explicit = softmax_alone(model, x, dim, target, torch.float64)
                if not hasattr(model, 'mask'):  # the two forms agree where nothing is masked
                    assert rel_l2(explicit, r64) < 1e-10, (name, rel_l2(explicit, r64))
                r64, r32 = explicit, softmax_alone(model, x, dim, target, torch.float32)
            assert torch.isfinite(r64).all(), (name, key)
            np.save(os.path.join(OUT, f'{name}.{key}.npy'), r64.to(torch.float32).numpy())
            entry = {'float32VsFloat64': rel_l2(r32.to(torch.float64), r64)}
            if 'rule' in config:
                entry['rule'] = config['rule']
            else:
                entry['composite'] = config['composite']
            entries[key] = entry
        model.to(torch.float32)
        if hasattr(model, 'mask'):
            # the masked inputs' relevance is exactly 0 under every configuration
            where = torch.isinf(model.mask).expand_as(x) if name != 'attention_4d' else None
            if where is not None:
                for key in configs:
                    assert float(np.abs(np.load(os.path.join(OUT, f'{name}.{key}.npy'))[where.numpy()]).max()) == 0.0
        manifest['cases'][name] = {'category': category, 'target': target, 'configs': entries,
                                   'masked': bool(hasattr(model, 'mask') and name != 'attention_4d')}
        print(name, {k: f"{v['float32VsFloat64']:.1e}" for k, v in entries.items()}, file=sys.stderr)
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main()
