"""Makes lrp-node's shipped benchmark (docs/data.md): generates shapes-loc and clevr-lite (seeded),
writes their test splits as PNG images, masks and index.json under data/, trains the models on the
train splits (kept in memory only), traces them into data/models/, and records test accuracy and
training time in data/models/manifest.json. Also writes the first preprocessed test inputs that the
jest tests compare the TypeScript loader with (test/fixtures/benchmark/).

Run with a Python that has torch and torchvision (Debian: python3-torch, python3-torchvision):
    npm run benchmark:data        (= /usr/bin/python3 bench/benchmark/make_benchmark.py)
Every random draw is seeded; the manifest records how long each model took (wall and CPU seconds).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

import clevr_lite
import models
import shapes_loc
import training

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
SEED = 2023
TEST_SAMPLES = 256

# name -> generator module, seed (the train split uses seed*10, the test split seed*10+1), and the
# generate() arguments of the train split
DATASETS = {
    'shapes-loc': {'module': shapes_loc, 'seed': SEED, 'train': {'count': 8000}},
    'clevr-lite': {'module': clevr_lite, 'seed': SEED + 1, 'train': {'scenes': 6000, 'per_scene': 3}},
}
# name -> (dataset, builder, epochs, learning rate, batch size)
MODELS = {
    'vgg13_bn': ('shapes-loc', models.vgg13_bn, 4, 3e-3, 64),
    'resnet18': ('shapes-loc', models.resnet18, 4, 3e-3, 64),
    'densenet': ('shapes-loc', models.densenet_small, 6, 3e-3, 64),
    'efficientnet_b0': ('shapes-loc', models.efficientnet_b0, 10, 3e-3, 64),
    'relation_net': ('clevr-lite', lambda n: models.RelationNet(clevr_lite.QUESTION_LENGTH, n), 16, 1e-3, 32),
    'vit': ('shapes-loc', models.vit, 20, 1e-3, 64),
}
# Models trained on randomly turned and mirrored images (training.dihedral): the ViT, which without
# it fits the 8000 training images (loss 0.1) at 77 % test accuracy.
AUGMENTED = {'vit'}


def log(message):
    print(message, flush=True)


def trace(model, example):
    """torch.jit.trace in grad mode, as lrp-node reads it. Its trace checker re-runs the model under
    torch.no_grad(), where a MultiheadAttention takes its fused path (one
    aten::_native_multi_head_attention) and the graphs differ by design: a model with attention is
    traced without the checker, and its traced output is compared with the model's instead (both in
    grad mode: under no_grad the model's fused path rounds differently)."""
    if not any(isinstance(m, torch.nn.MultiheadAttention) for m in model.modules()):
        return torch.jit.trace(model, tuple(example))
    traced = torch.jit.trace(model, tuple(example), check_trace=False)
    # both in grad mode: the model's own output through the same (unfused) attention
    expected, actual = model(*example).detach(), traced(*example).detach()
    assert torch.allclose(actual, expected, rtol=1e-4, atol=1e-5), \
        f'the traced model differs from the model by {float((actual - expected).abs().max())}'
    return traced


def generate(name, split):
    spec = DATASETS[name]
    module = spec['module']
    seed = spec['seed'] * 10 + (0 if split == 'train' else 1)
    if split == 'test':
        args = {'scenes': TEST_SAMPLES, 'per_scene': 1} if module is clevr_lite else {'count': TEST_SAMPLES}
    else:
        args = spec['train']
    return module.generate(seed, **args)


def channel_statistics(images):
    """Per-channel mean and std of x/255 over a split (the normalization written to index.json)."""
    x = images.reshape(-1, 3).astype(np.float64) / 255
    return [round(float(v), 4) for v in x.mean(0)], [round(float(v), 4) for v in x.std(0)]


def write_split(folder, name, module, data, mean, std):
    """PNG images and masks plus index.json (docs/data.md)."""
    for sub in ('images', 'masks'):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    samples = []
    for i, label in enumerate(data['labels']):
        image, mask = f'images/{i:05d}.png', f'masks/{i:05d}.png'
        Image.fromarray(data['images'][i]).save(os.path.join(folder, image), optimize=True)
        Image.fromarray(data['masks'][i]).save(os.path.join(folder, mask), optimize=True)
        sample = {'image': image, 'label': int(label), 'mask': mask, 'boxes': [data['boxes'][i]]}
        if data['questions'] is not None:
            sample['question'] = [float(v) for v in data['questions'][i]]
            sample['text'] = data['texts'][i]
        samples.append(sample)
    index = {
        'name': name, 'split': 'test', 'classes': module.CLASSES,
        'preprocessing': {'size': list(module.SIZE), 'mean': mean, 'std': std},
        'questionLength': module.QUESTION_LENGTH if data['questions'] is not None else 0,
        'samples': samples,
    }
    with open(os.path.join(folder, 'index.json'), 'w') as handle:
        json.dump(index, handle, indent=None, separators=(',', ':'))
        handle.write('\n')


def read_back(folder, count):
    """The first `count` test images as PIL decodes the written PNGs (what a user's loader sees)."""
    return np.stack([np.asarray(Image.open(os.path.join(folder, 'images', f'{i:05d}.png')).convert('RGB'))
                     for i in range(count)])


def write_loader_reference(out, name, folder, data, mean, std):
    """First two test inputs preprocessed on the Python side, for the loader test."""
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, f'{name}.images.npy'), training.normalize(read_back(folder, 2), mean, std).numpy())
    if data['questions'] is not None:
        np.save(os.path.join(out, f'{name}.questions.npy'), data['questions'][:2])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default=os.path.join(REPO, 'data'), help='folder for the splits and models')
    parser.add_argument('--reference', default=os.path.join(REPO, 'test', 'fixtures', 'benchmark'),
                        help='folder for the preprocessed first test inputs (the loader test reads them)')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--models', default=','.join(MODELS),
                        help='comma list: train only these (the data is the same; the manifest keeps the others)')
    args = parser.parse_args()
    chosen = args.models.split(',')
    unknown = [m for m in chosen if m not in MODELS]
    if unknown:
        parser.error(f'unknown model {unknown[0]} (known: {", ".join(MODELS)})')
    torch.set_num_threads(args.threads)
    started = time.time()
    splits, stats, generate_seconds = {}, {}, {}
    for name, spec in DATASETS.items():
        if not any(MODELS[m][0] == name for m in chosen):
            continue
        t = time.time()
        train, test = generate(name, 'train'), generate(name, 'test')
        stats[name] = channel_statistics(train['images'])
        folder = os.path.join(args.out, name, 'test')
        write_split(folder, name, spec['module'], test, *stats[name])
        write_loader_reference(args.reference, name, folder, test, *stats[name])
        # Models are scored on the images as written and read back (PNG is lossless: identical).
        assert np.array_equal(read_back(folder, len(test['labels'])), test['images'])
        splits[name] = (train, test)
        generate_seconds[name] = round(time.time() - t, 1)
        log(f'{name}: {len(train["labels"])} train, {len(test["labels"])} test samples ({time.time() - t:.0f} s)')

    os.makedirs(os.path.join(args.out, 'models'), exist_ok=True)
    manifest_file = os.path.join(args.out, 'models', 'manifest.json')
    manifest = {'torch': torch.__version__, 'seed': SEED, 'models': {}, 'generateSeconds': generate_seconds}
    note = None   # how the shipped models were trained (kept when only some are retrained)
    if len(chosen) < len(MODELS) and os.path.exists(manifest_file):
        with open(manifest_file) as handle:
            previous = json.load(handle)
        manifest['models'] = previous['models']
        manifest['generateSeconds'] = {**previous.get('generateSeconds', {}), **generate_seconds}
        note = previous.get('note')
    for index, (name, (dataset, build, epochs, lr, batch)) in enumerate(MODELS.items()):
        if name not in chosen:
            continue
        train, test = splits[dataset]
        module = DATASETS[dataset]['module']
        torch.manual_seed(SEED + index)
        model = build(len(module.CLASSES))
        log(f'{name} on {dataset}: {sum(p.numel() for p in model.parameters())} parameters, {epochs} epochs')
        seconds, cpu_seconds = training.train(model, train, *stats[dataset], seed=SEED + index, epochs=epochs,
                                              lr=lr, batch=batch, augment=name in AUGMENTED, log=log)
        accuracy = training.accuracy(model, test, *stats[dataset])
        log(f'{name}: test accuracy {accuracy:.4f}, trained in {seconds:.0f} s ({cpu_seconds:.0f} s of CPU)')
        example = training.model_inputs(test, np.arange(2), *stats[dataset])
        path = os.path.join(args.out, 'models', f'{name}.pt')
        trace(model.eval(), example).save(path)
        manifest['models'][name] = {
            'dataset': dataset, 'classes': len(module.CLASSES), 'testAccuracy': round(accuracy, 4),
            'testSamples': len(test['labels']), 'trainSamples': len(train['labels']),
            'epochs': epochs, 'batch': batch, 'learningRate': lr,
            'trainSeconds': round(seconds, 1), 'trainCpuSeconds': round(cpu_seconds, 1), 'threads': args.threads,
            'parameters': sum(p.numel() for p in model.parameters()),
            'inputs': [list(x.shape[1:]) for x in example],
            **({'augment': 'dihedral'} if name in AUGMENTED else {}),
        }
        manifest['models'] = dict(sorted(manifest['models'].items(), key=lambda item: list(MODELS).index(item[0])))
    # Training of every model, each as it was timed when it was trained.
    manifest['trainSeconds'] = round(sum(m['trainSeconds'] for m in manifest['models'].values()), 1)
    manifest['trainCpuSeconds'] = round(sum(m['trainCpuSeconds'] for m in manifest['models'].values()), 1)
    if note is not None:
        manifest['note'] = note
    with open(manifest_file, 'w') as handle:
        json.dump(manifest, handle, indent=1)
        handle.write('\n')
    log(f'done in {time.time() - started:.0f} s; training of all models: {manifest["trainSeconds"]:.0f} s '
        f'({manifest["trainCpuSeconds"]:.0f} s of CPU)')


if __name__ == '__main__':
    sys.exit(main())
