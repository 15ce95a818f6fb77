"""What the code sends to the API, reconstructed without running it.

Layered bottom-up (``tests/test_layout.py`` keeps the imports pointing down, with no cycle):

- ``external``: the project's other modules and prompt files, loaded and cached for a run;
  ``templates``: Jinja2 templates rendered to prompt text; ``text``: text with holes.
- ``values``: expressions evaluated to values (``Resolver``); ``prompt``: the prompt a
  request's values make.
- ``request_scopes`` and ``requests``: the calls that are Messages requests, and their
  parameters; ``wrappers``: the project's functions around them.
- ``analysis``: the one place that assembles scopes -> Resolver -> RequestFinder -> wrappers.
- ``outline``: the C parser's look at a file before libcst; ``intent``: what a prompt asks for.

Syntax plumbing with no knowledge of the API lives in ``promptlint.syntax``.
"""
