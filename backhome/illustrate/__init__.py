"""Exercise illustrations drawn from a 2D body model (pure Python, no Django).

``body`` is the model (segments, joint limits, forward kinematics), ``poses`` loads the keyframes of
each exercise from ``backhome/core/content/poses/<id>.toml``, ``svg`` renders static panels and
animations, ``gallery`` writes one HTML page with every exercise. See ``docs/illustrations.md``.
"""

from backhome.illustrate.poses import Illustration, load
from backhome.illustrate.svg import exercise_panels_svg, exercise_svg

__all__ = ["Illustration", "exercise_panels_svg", "exercise_svg", "load"]
