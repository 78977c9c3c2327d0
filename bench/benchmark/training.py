"""Seeded training and evaluation loops shared by every benchmark model: Adam with a one-cycle
learning rate, cross-entropy, images kept as uint8 and normalized per batch."""
import time

import numpy as np
import torch
from torch import nn


def normalize(images, mean, std):
    """uint8 (N, H, W, 3) -> float32 (N, 3, H, W): (x / 255 - mean) / std, in float32 as the loader does."""
    x = images.astype(np.float32) / np.float32(255)
    x = (x - np.asarray(mean, dtype=np.float32)) / np.asarray(std, dtype=np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


def model_inputs(split, indices, mean, std):
    inputs = [normalize(split['images'][indices], mean, std)]
    if split['questions'] is not None:
        inputs.append(torch.from_numpy(split['questions'][indices]))
    return inputs


def accuracy(model, split, mean, std, batch=256):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(split['labels']), batch):
            indices = np.arange(start, min(start + batch, len(split['labels'])))
            prediction = model(*model_inputs(split, indices, mean, std)).argmax(1).numpy()
            correct += int((prediction == split['labels'][indices]).sum())
    return correct / len(split['labels'])


def dihedral(images, codes):
    """Each image (N, 3, H, W) turned by one of the square's eight symmetries: codes[i] % 4 quarter
    turns, then a mirror where codes[i] >= 4. shapes-loc's classes do not change under them."""
    out = images.clone()
    for i, code in enumerate(codes):
        x = torch.rot90(images[i], int(code) % 4, dims=(1, 2))
        out[i] = x.flip(2) if code >= 4 else x
    return out


def train(model, split, mean, std, seed, epochs, batch=64, lr=3e-3, weight_decay=1e-4, augment=False, log=print):
    """Trains in place; returns (wall seconds, CPU seconds of this process). On a shared machine the
    CPU time is the steadier measure: on an idle machine wall time is about CPU time / threads.
    With `augment`, every training image is turned by a random symmetry of the square (dihedral);
    without it, no random number is drawn for it (the CNNs' runs are as before)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    count = len(split['labels'])
    steps = epochs * (count // batch)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps, pct_start=0.15)
    labels = torch.from_numpy(split['labels'])
    started, cpu = time.time(), time.process_time()
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(count)
        total, seen = 0.0, 0
        for step in range(count // batch):
            indices = np.sort(order[step * batch:(step + 1) * batch])
            inputs = model_inputs(split, indices, mean, std)
            if augment:
                inputs[0] = dihedral(inputs[0], rng.integers(0, 8, size=len(indices)))
            loss = nn.functional.cross_entropy(model(*inputs), labels[indices])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += float(loss) * batch
            seen += batch
        log(f'  epoch {epoch + 1}/{epochs}: loss {total / seen:.3f} ({time.time() - started:.0f} s)')
    return time.time() - started, time.process_time() - cpu
