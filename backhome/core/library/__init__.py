"""The exercise library: one TOML file per exercise (``content/exercises/<id>.toml``).

``schema`` describes a file, ``check`` finds every problem in a folder of them (with stable codes)
and ``load`` turns a valid folder into a :class:`~backhome.core.library.load.Library` of
:class:`~backhome.core.model.Exercise` values. See ``docs/library.md``.
"""
