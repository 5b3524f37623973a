"""Face fusion: the mesh warp and the blending of one avatar face into one template face."""
from .fuse import Fused, fuse_face

__all__ = ["Fused", "fuse_face"]
