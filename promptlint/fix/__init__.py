"""Fixes: the fix loop on one file (:mod:`promptlint.fix.loop`) and the multi-file fix run
(:mod:`promptlint.fix.run`), which lints through the same :class:`promptlint.run.Run` as
`check` (pool and cache) and applies the loop only to files with applicable fixes."""

__all__ = ["loop", "run"]
