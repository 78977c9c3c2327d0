"""shapes-loc: one object of ten classes (five shapes x two colours, so neither the colour nor the
shape alone decides the class) at a random position, scale and rotation on a cluttered background
(smooth noise, a colour gradient, distractor strokes and blobs that are not class objects).
Stands in for a localization benchmark: every image has its object's pixel mask and bounding box."""
import numpy as np

from drawing import (bounding_box, composite, coverage, linear_gradient, polygon, polygon_coverage,
                     smooth_noise, to_uint8)

SIZE = (64, 64)
SHAPES = ['square', 'circle', 'triangle', 'star', 'cross']
COLOURS = {'red': (205, 40, 35), 'blue': (35, 70, 210)}
CLASSES = [f'{colour}-{shape}' for colour in COLOURS for shape in SHAPES]
# Blobs are drawn in hues away from the class colours, so a blob is never a class object.
DISTRACTOR_HUES = [(60, 170, 60), (215, 200, 50), (150, 90, 170), (120, 120, 120), (230, 140, 40)]


def _background(rng):
    start, end = rng.uniform(50, 210, size=(2, 3))
    gray = rng.uniform(90, 170)
    # Pull the gradient colours towards gray so that the class colours stay visible.
    start, end = 0.5 * start + 0.5 * gray, 0.5 * end + 0.5 * gray
    image = linear_gradient(rng, SIZE, start, end)
    image += (smooth_noise(rng, SIZE, int(rng.integers(3, 8)), 3) - 0.5) * 70
    return image


def _distractors(rng, image):
    for _ in range(int(rng.integers(2, 6))):          # strokes: lines of any colour
        points = rng.uniform(-8, 72, size=(2, 2))
        width = float(rng.uniform(1.0, 2.5))
        alpha = coverage(SIZE, lambda d, k: d.line([tuple(p * k) for p in points], fill=255, width=int(width * k)))
        composite(image, alpha, rng.uniform(20, 235, size=3))
    for _ in range(int(rng.integers(1, 4))):          # blobs: small ellipses in non-class hues
        center = rng.uniform(4, 60, size=2)
        rx, ry = rng.uniform(2.5, 7.0, size=2)
        box = [(center[0] - rx), (center[1] - ry), (center[0] + rx), (center[1] + ry)]
        alpha = coverage(SIZE, lambda d, k: d.ellipse([v * k for v in box], fill=255))
        hue = np.asarray(DISTRACTOR_HUES[rng.integers(len(DISTRACTOR_HUES))], dtype=np.float64)
        composite(image, alpha, np.clip(hue + rng.normal(0, 15, size=3), 0, 255))


def sample(rng):
    """One image: (uint8 (64, 64, 3), label, uint8 mask 0/255, box [x0, y0, x1, y1])."""
    label = int(rng.integers(len(CLASSES)))
    colour_name, shape = CLASSES[label].split('-')
    image = _background(rng)
    _distractors(rng, image)
    radius = rng.uniform(9.0, 17.0)
    center = rng.uniform(radius + 1, SIZE[0] - radius - 1, size=2)
    alpha = polygon_coverage(SIZE, polygon(shape, center, radius, rng.uniform(0, 2 * np.pi)))
    colour = np.asarray(COLOURS[colour_name], dtype=np.float64) + rng.normal(0, 18, size=3)
    texture = rng.normal(0, 10, size=SIZE + (1,))     # per-pixel shading noise on the object
    composite(image, alpha, np.clip(colour + texture, 0, 255))
    image += rng.normal(0, 4, size=image.shape)       # sensor noise over everything
    mask = alpha >= 0.5
    return to_uint8(image), label, (mask * 255).astype(np.uint8), bounding_box(mask)


def generate(seed, count):
    rng = np.random.default_rng(seed)
    images, labels, masks, boxes = [], [], [], []
    for _ in range(count):
        image, label, mask, box = sample(rng)
        images.append(image)
        labels.append(label)
        masks.append(mask)
        boxes.append(box)
    return {'images': np.stack(images), 'labels': np.array(labels, dtype=np.int64),
            'masks': np.stack(masks), 'boxes': boxes, 'questions': None, 'texts': None}
