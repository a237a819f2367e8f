"""Synthetic ground truth: rendered people whose posture is set exactly.

An optional extra (`pip install -e .[synth]` after `pip install torch==2.13.0`), never imported by
the analyzer: it needs torch, anny, pyrender and OSMesa. The accuracy benchmark reads the images
and truth files it writes and does not need it.
"""
