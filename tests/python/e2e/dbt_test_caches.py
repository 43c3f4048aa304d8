"""Caches for running dbt many times in one test process, beside dbt-core's own test caches.

dbt-core's functional tests call ``dbt_common.tests.enable_test_caching()``: Jinja parse trees and
block lists are then kept by source text across invocations. Two more steps of every invocation
are pure functions of their input and are redone each time (measured on a warm worker: a parse
1.65 -> 1.3 s, a lean demo build 11 -> 9 s):

- Jinja compiling a template's source to a Python code object (``Environment.compile``): every
  generic test's `{{ test_unique(**_dbt_generic_test_kwargs) }}`, every model's SQL, hook and
  config string, at parse and again at run. The code object depends on the source and on the
  environment's class, extensions, options and the filters and tests it knows (Jinja looks at a
  filter's signature while compiling), so all of those are the key. The environment itself is
  not part of the code: Jinja binds it when it runs the code (``Template.from_code``).
- jsonschema validating each YAML entry and config against a dbt class's schema
  (``dbtClassMixin.validate``): a success is kept by class and the data as JSON; a failure is
  never kept, so an invalid file raises its error every time.

``install()`` is called by ``invoke_dbt`` only when dbt runs inside the test process;
CS_TEST_DBT_SUBPROCESS=1 runs the `dbt` command as a user does, without any of this.
"""

from __future__ import annotations

import functools
import json
from typing import Any

_installed = False


def _names(mapping: dict[str, Any]) -> frozenset[tuple[str, int]]:
    return frozenset((name, id(function)) for name, function in mapping.items())


def _cache_jinja_compile() -> None:
    import jinja2

    compile_source = jinja2.Environment.compile
    compiled: dict[tuple[Any, ...], Any] = {}

    @functools.wraps(compile_source)
    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if not isinstance(source, str):  # a parse tree: compiled as Jinja does
            return compile_source(self, source, name, filename, raw, defer_init)
        key = (
            type(self),
            self.code_generator_class,
            tuple(type(extension) for extension in self.extensions.values()),
            self.is_async,
            self.optimized,
            self.autoescape,
            self.finalize,
            _names(self.filters),
            _names(self.tests),
            source,
            name,
            filename,
            raw,
            defer_init,
        )
        if key not in compiled:
            compiled[key] = compile_source(self, source, name, filename, raw, defer_init)
        return compiled[key]

    jinja2.Environment.compile = compile


def _cache_schema_validation() -> None:
    from dbt_common.dataclass_schema import dbtClassMixin

    validate = dbtClassMixin.validate.__func__
    valid: set[tuple[type, str]] = set()

    @functools.wraps(validate)
    def cached_validate(cls, data: Any) -> None:
        try:
            key = (cls, json.dumps(data, sort_keys=True))
        except (TypeError, ValueError):  # not plain JSON (dates, objects): validate every time
            return validate(cls, data)
        if key not in valid:
            validate(cls, data)  # raises when invalid; only a success is kept
            valid.add(key)

    dbtClassMixin.validate = classmethod(cached_validate)


def install() -> None:
    """Turn on dbt-core's test caches and the two above, once per process."""
    global _installed
    if _installed:
        return
    from dbt_common.tests import enable_test_caching

    # dbt-core's own test harness does the same (dbt.tests.fixtures.project, "initialization"):
    # Jinja parse trees and block lists are kept by source text across invocations, so a full
    # parse no longer parses dbt's ~500 macros again each time (about 1.2 s of a 3 s parse).
    enable_test_caching()
    _cache_jinja_compile()
    _cache_schema_validation()
    _installed = True
