"""A per-class luminance texture for the CPU benchmark's generated data.

The class tint (:func:`~mmssl.datasets.synthetic.cityscapes.tint_classes`)
tells the classes apart by hue, and the papers' photometric strong views
(colour / desaturation, invert, solarize, equalize, posterize) move a hue:
on tinted data they turn one class into another, which they do not do to a
real street pixel (measured: Dense FixMatch's strong view with its
geometric operations only keeps terrain and person that the full strong
view erases, docs/cpu_benchmark.md). This texture is a second class cue
that those operations keep: a grey-level pattern added to every channel
(so desaturation keeps it), whose kind survives inversion (a phase shift),
equalization and autocontrast (monotone), posterization (at the
benchmark's amplitude of 32 its two levels are 64 apart, more than a 3-bit
level step of 32), solarization unless its threshold falls between the
pattern's two levels, and the strong views' rotations up to 30 degrees
(horizontal and vertical stripes stay 60 degrees or more apart).

Which class gets which kind (:data:`CLASS_KINDS`) is a colouring of the
classes that touch or look alike in a street scene, so that without its
hue a pixel's texture still tells them apart: road / sidewalk / terrain,
building / wall / fence, pole / traffic light / traffic sign / sky,
vegetation / terrain, person / rider, rider / motorcycle / bicycle, car /
truck / bus, bus / train. (The first code, ``id mod 5``, gave rider and
motorcycle, and sky and pole, the same kind; Dense FixMatch lost rider and
motorcycle, docs/cpu_benchmark.md.) Five kinds cannot separate every pair:
building and vegetation share the checkerboard.
"""
import numpy as np

# What the generator's stamp records, so data made with another code is
# made again.
TEXTURE_CODE = 'street-colouring-v2-flat-hstripe-vstripe-checker-dots-p6'
# period of every pattern, in pixels of the generated image
PERIOD = 6
KINDS = ('flat', 'hstripe', 'vstripe', 'checker', 'dots')
# the kind of each Cityscapes train id (0 road .. 18 bicycle)
CLASS_KINDS = (
    'flat',  # road
    'hstripe',  # sidewalk
    'checker',  # building
    'vstripe',  # wall
    'dots',  # fence
    'flat',  # pole
    'hstripe',  # traffic light
    'vstripe',  # traffic sign
    'checker',  # vegetation
    'vstripe',  # terrain
    'dots',  # sky
    'hstripe',  # person
    'checker',  # rider
    'vstripe',  # car
    'dots',  # truck
    'hstripe',  # bus
    'checker',  # train
    'flat',  # motorcycle
    'dots',  # bicycle
)
_KIND_INDEX = np.array([KINDS.index(k) for k in CLASS_KINDS], np.int64)


def texture_kind(train_id: int) -> str:
    """The pattern of class ``train_id`` (:data:`CLASS_KINDS`)."""
    return CLASS_KINDS[int(train_id)]


def texture_patterns(height: int, width: int) -> np.ndarray:
    """``(len(KINDS), height, width)`` patterns in {-1, 0, 1}, in image
    coordinates, period :data:`PERIOD`: flat (0), horizontal and vertical
    stripes half a period wide (+-1), a checkerboard of half-period squares
    (+-1) and a bright 2x2 dot per period cell on a dark ground (+-1)."""
    ys, xs = np.mgrid[0:height, 0:width]
    half = PERIOD // 2
    hs = np.where((ys % PERIOD) < half, 1, -1)
    vs = np.where((xs % PERIOD) < half, 1, -1)
    dots = np.where(((ys % PERIOD) < 2) & ((xs % PERIOD) < 2), 1, -1)
    return np.stack([np.zeros_like(hs), hs, vs, hs * vs,
                     dots]).astype(np.float32)


def texture_classes(img: np.ndarray, train_ids: np.ndarray,
                    amplitude: float) -> np.ndarray:
    """Add ``amplitude`` grey levels times the class's pattern
    (:func:`texture_kind`) to every channel of each labeled pixel; ignored
    pixels (255) and ``amplitude`` 0 leave the image unchanged."""
    if amplitude <= 0:
        return img
    pats = texture_patterns(*train_ids.shape)
    valid = train_ids < 255
    kind = _KIND_INDEX[np.where(valid, train_ids, 0).astype(np.int64)]
    delta = np.take_along_axis(pats, kind[None], 0)[0] * amplitude
    delta = np.where(valid, delta, 0)
    out = img.astype(np.float32) + delta[..., None]
    return np.clip(np.round(out), 0, 255).astype(np.uint8)
