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

And one step is work no one sees: dbt turns every event into a protobuf message before its
loggers drop the debug ones by level (``_skip_debug_events_no_logger_writes``: 4,600 debug events
in a small lean build; the build 6.7 -> 5.4 s on a warm worker, its console output the same
lines but for the order two threads finish in).

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


def _skip_debug_events_no_logger_writes() -> None:
    """Return early from dbt's ``EventManager.fire_event`` for a debug- or test-level event when
    no logger would write it: every logger (the console, the debug file when DBT_LOG_LEVEL_FILE
    is not none) is at info or above, and the only callback is dbt's own, which reads warnings.
    dbt builds a protobuf message for every event before its loggers drop it by level: 4,600 of
    them in a small lean build, 0.5 s of it. Nothing is skipped under ``--debug`` or a debug log
    file, for a warning or an error, or when a test asks for binary serialisation."""
    import os

    from dbt.tracking import track_behavior_change_warn
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager

    fire = EventManager.fire_event
    quiet_levels = (EventLevel.DEBUG, EventLevel.TEST)

    @functools.wraps(fire)
    def fire_event(self, e, level=None, node=None, force_warn_or_error_handling=False):
        if (
            (level or e.level_tag()) in quiet_levels
            and not force_warn_or_error_handling
            and all(logger.level not in quiet_levels for logger in self.loggers)
            and all(callback is track_behavior_change_warn for callback in self.callbacks)
            and not os.environ.get("DBT_TEST_BINARY_SERIALIZATION")
        ):
            return
        fire(
            self,
            e,
            level=level,
            node=node,
            force_warn_or_error_handling=force_warn_or_error_handling,
        )

    EventManager.fire_event = fire_event


def install() -> None:
    """Turn on dbt-core's test caches and the three above, once per process."""
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
    _skip_debug_events_no_logger_writes()
    _installed = True
