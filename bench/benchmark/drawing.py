"""Rasterizing the benchmark's shapes: polygons drawn at 4x resolution and box-filtered down to an
anti-aliased coverage map (alpha in [0, 1]); a pixel belongs to an object's mask when alpha >= 0.5."""
import numpy as np
from PIL import Image, ImageDraw

SUPERSAMPLE = 4


def _star(points, inner):
    angles = -np.pi / 2 + np.arange(2 * points) * np.pi / points
    radii = np.where(np.arange(2 * points) % 2 == 0, 1.0, inner)
    return np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)


def _regular(sides, start):
    angles = start + np.arange(sides) * 2 * np.pi / sides
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _cross(half_width):
    a, w = 1.0, half_width
    return np.array([(-w, -a), (w, -a), (w, -w), (a, -w), (a, w), (w, w),
                     (w, a), (-w, a), (-w, w), (-a, w), (-a, -w), (-w, -w)])


# Outlines of radius 1 around the origin (x right, y down).
OUTLINES = {
    'square': _regular(4, np.pi / 4),
    'circle': _regular(48, 0.0),
    'triangle': _regular(3, -np.pi / 2),
    'star': _star(5, 0.45),
    'cross': _cross(0.34),
}


def polygon(shape, center, radius, angle):
    """The outline of `shape` scaled to `radius` pixels, rotated by `angle` radians about `center`."""
    c, s = np.cos(angle), np.sin(angle)
    rotation = np.array([[c, -s], [s, c]])
    return OUTLINES[shape] @ rotation.T * radius + np.asarray(center, dtype=np.float64)


def coverage(size, draw):
    """Calls draw(ImageDraw, scale) on a SUPERSAMPLE-times larger canvas; returns the (H, W) float32
    fraction of each pixel that the drawing covers."""
    height, width = size
    canvas = Image.new('L', (width * SUPERSAMPLE, height * SUPERSAMPLE), 0)
    draw(ImageDraw.Draw(canvas), SUPERSAMPLE)
    small = canvas.resize((width, height), Image.BOX)
    return np.asarray(small, dtype=np.float32) / 255.0


def polygon_coverage(size, points):
    """Coverage of a filled polygon given in pixel coordinates (pixel centres at +0.5)."""
    return coverage(size, lambda d, k: d.polygon([tuple(p) for p in points * k], fill=255))


def composite(image, alpha, colour):
    """Paints `colour` (RGB float, or an (H, W, 3) array) over the float image with coverage `alpha`."""
    a = alpha[:, :, None]
    image *= 1.0 - a
    image += a * colour
    return image


def smooth_noise(rng, size, cells, channels):
    """Low-frequency noise in [0, 1]: a random cells x cells grid upsampled bicubically."""
    height, width = size
    grid = rng.random((cells, cells, channels))
    planes = [np.asarray(Image.fromarray(grid[:, :, c].astype(np.float32), mode='F')
                         .resize((width, height), Image.BICUBIC)) for c in range(channels)]
    return np.clip(np.stack(planes, axis=2), 0.0, 1.0)


def linear_gradient(rng, size, start, end):
    """A ramp from colour `start` to colour `end` along a random direction, (H, W, 3)."""
    height, width = size
    theta = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    t = (np.cos(theta) * (xs - width / 2) + np.sin(theta) * (ys - height / 2)) / max(height, width) + 0.5
    t = np.clip(t, 0.0, 1.0)[:, :, None]
    return (1 - t) * np.asarray(start) + t * np.asarray(end)


def to_uint8(image):
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def bounding_box(mask):
    """[x0, y0, x1, y1] of the mask's pixels, x1 and y1 exclusive."""
    ys, xs = np.nonzero(mask)
    return [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]
