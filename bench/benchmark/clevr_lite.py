"""clevr-lite: scenes of 3-6 objects (shape, colour, size) and simple questions about one of them,
after CLEVR-XAI's simple questions: "what <attribute> is the <description>?", where the description
(one or two of the object's other attributes) picks out exactly one object. The answer is a class
and the ground-truth mask is the queried object's. Objects sit in distinct cells of a 4x4 grid
(jittered), so that each object is one of the "objects" (feature-map cells) of a relation network.

Question encoding (QUESTION_LENGTH floats): one-hot of the queried attribute (shape, colour, size),
then the description: one-hot colour, one-hot shape, one-hot size, each all zeros when unused."""
import numpy as np

from drawing import bounding_box, composite, polygon, polygon_coverage, smooth_noise, to_uint8

SIZE = (64, 64)
SHAPES = ['square', 'circle', 'triangle']
COLOURS = {'red': (200, 40, 40), 'green': (40, 160, 60), 'blue': (40, 70, 210),
           'yellow': (220, 200, 40), 'purple': (140, 60, 170), 'cyan': (50, 190, 200)}
SIZES = {'small': 4.5, 'large': 6.5}
GRID = 4
ATTRIBUTES = ['shape', 'colour', 'size']
VALUES = {'shape': SHAPES, 'colour': list(COLOURS), 'size': list(SIZES)}
CLASSES = SHAPES + list(COLOURS) + list(SIZES)
QUESTION_LENGTH = len(ATTRIBUTES) + len(COLOURS) + len(SHAPES) + len(SIZES)
_OFFSETS = {'colour': 3, 'shape': 3 + len(COLOURS), 'size': 3 + len(COLOURS) + len(SHAPES)}


def _place(rng, count):
    """Objects in distinct cells of a GRID x GRID layout (16-px cells at 64x64, the cells a relation
    network's encoder sees), jittered inside their cell: list of dicts with shape, colour, size, center."""
    cell = SIZE[0] / GRID
    objects = []
    for index in rng.choice(GRID * GRID, size=count, replace=False):
        size = str(rng.choice(list(SIZES)))
        slack = cell / 2 - SIZES[size] - 1
        center = (np.array([index % GRID, index // GRID]) + 0.5) * cell + rng.uniform(-slack, slack, size=2)
        objects.append({'shape': str(rng.choice(SHAPES)), 'colour': str(rng.choice(list(COLOURS))),
                        'size': size, 'center': center})
    return objects


def _render(rng, objects):
    floor = rng.uniform(105, 150)
    image = np.full(SIZE + (3,), floor) + (smooth_noise(rng, SIZE, 3, 1) - 0.5) * 40
    masks = []
    for o in objects:
        radius = SIZES[o['size']] * (0.85 if o['shape'] == 'circle' else 1.0)
        alpha = polygon_coverage(SIZE, polygon(o['shape'], o['center'], radius, rng.uniform(-0.25, 0.25)))
        shade = rng.uniform(0.8, 1.1)
        colour = np.clip(np.asarray(COLOURS[o['colour']]) * shade + rng.normal(0, 8, size=3), 0, 255)
        composite(image, alpha, colour)
        masks.append(alpha >= 0.5)
    image += rng.normal(0, 3, size=image.shape)
    return to_uint8(image), masks


def _describe(rng, objects, target, query):
    """The smallest set of the target's other attributes that only the target has, or None."""
    others = [a for a in ATTRIBUTES if a != query]
    rng.shuffle(others)
    for subset in ([others[0]], [others[1]], others):
        matches = [o for o in objects if all(o[a] == target[a] for a in subset)]
        if len(matches) == 1:
            return subset
    return None


def _encode(query, description, target):
    vector = np.zeros(QUESTION_LENGTH, dtype=np.float32)
    vector[ATTRIBUTES.index(query)] = 1
    for attribute in description:
        vector[_OFFSETS[attribute] + VALUES[attribute].index(target[attribute])] = 1
    return vector


def _text(query, description, target):
    words = [target[a] for a in ('size', 'colour') if a in description]
    words.append(target['shape'] if 'shape' in description else 'object')
    return f"what {query} is the {' '.join(words)}?"


def questions_for_scene(rng, objects, count):
    """Up to `count` questions (query, description, target index) about distinct objects."""
    picked = []
    for index in rng.permutation(len(objects)):
        query = ATTRIBUTES[rng.integers(len(ATTRIBUTES))]
        description = _describe(rng, objects, objects[index], query)
        if description is not None:
            picked.append((query, description, int(index)))
        if len(picked) == count:
            break
    return picked


def generate(seed, scenes, per_scene):
    rng = np.random.default_rng(seed)
    images, labels, masks, boxes, questions, texts = [], [], [], [], [], []
    while len(labels) < scenes * per_scene:
        objects = _place(rng, int(rng.integers(3, 7)))
        picked = questions_for_scene(rng, objects, per_scene)
        if not picked:
            continue
        image, object_masks = _render(rng, objects)
        for query, description, index in picked:
            target = objects[index]
            images.append(image)
            labels.append(CLASSES.index(target[query]))
            masks.append((object_masks[index] * 255).astype(np.uint8))
            boxes.append(bounding_box(object_masks[index]))
            questions.append(_encode(query, description, target))
            texts.append(_text(query, description, target))
    return {'images': np.stack(images), 'labels': np.array(labels, dtype=np.int64), 'masks': np.stack(masks),
            'boxes': boxes, 'questions': np.stack(questions), 'texts': texts}
