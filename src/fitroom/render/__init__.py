"""Rendering: old-garment removal, layering and occlusion, shading transfer, compositing."""
