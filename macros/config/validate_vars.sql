{#- The Jinja half of the one var validator. The schema (kinds, ranges, allowed values, examples)
    comes from var_schema(), generated from src/customer_segmentation/settings_schema.py; this file
    only implements each kind, exactly as settings_schema.check() does (a test runs both on the
    same cases and compares the messages).

    validate_vars() runs at parse time (tests/health/vars_are_valid.sql calls it), so every dbt
    command that reads the project (build, run, seed, test, compile, docs generate, run-operation)
    stops before anything is built. setting(name) returns one validated, typed value for SQL. -#}

{% macro _shown(value) -%}
    {%- set text = value | string -%}
    {%- set text = text.replace('\\', '\\\\').replace('\n', '\\n').replace('\r', '\\r').replace('\t', '\\t') -%}
    {%- set text = modules.re.sub('[\x00-\x1f\x7f]', '?', text) -%}
    {%- if text | length > 80 -%}{%- set text = text[:77] ~ '...' -%}{%- endif -%}
    {{- return("'" ~ text ~ "'" if value is string else text) -}}
{%- endmacro %}

{% macro var_message(name, value, allowed, example) -%}
    {{- return('var ' ~ name ~ ' = ' ~ _shown(value) ~ ' is not valid: allowed ' ~ allowed ~ '. Fix: e.g. ' ~ example) -}}
{%- endmacro %}

{% macro _is_null(value) -%}
    {{- return(value is none or value == '' or (value is string and value.strip().lower() in ['none', 'null', '~'])) -}}
{%- endmacro %}

{% macro _is_bool(value) -%}
    {{- return(value is sameas true or value is sameas false) -}}
{%- endmacro %}

{% macro _as_number(value, patterns) -%}
    {#- A finite float, or none (bools, texts that are not numbers, inf and nan). -#}
    {%- if value is none or _is_bool(value) -%}{{ return(none) }}{%- endif -%}
    {%- if value is number -%}
        {%- set number = value | float -%}
    {%- elif value is string and modules.re.match(patterns.number, value.strip()) -%}
        {%- set number = value.strip() | float -%}
    {%- else -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if number != number or (number | string) in ['inf', '-inf'] -%}{{ return(none) }}{%- endif -%}
    {{- return(number) -}}
{%- endmacro %}

{% macro _in_range(spec, number) -%}
    {%- if spec.minimum is not none and (number < spec.minimum or (spec.exclusive_minimum and number == spec.minimum)) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if spec.maximum is not none and (number > spec.maximum or (spec.exclusive_maximum and number == spec.maximum)) -%}
        {{ return(false) }}
    {%- endif -%}
    {{- return(true) -}}
{%- endmacro %}

{% macro _printable(text, patterns, max_length) -%}
    {{- return(modules.re.match(patterns.printable, text) is not none and text | length <= max_length) -}}
{%- endmacro %}

{% macro _valid_date(text, patterns) -%}
    {%- set found = modules.re.match(patterns.date, text) -%}
    {%- if found is none -%}{{ return(false) }}{%- endif -%}
    {%- set year, month, day = found.group(1) | int, found.group(2) | int, found.group(3) | int -%}
    {%- if year < 1 or month < 1 or month > 12 or day < 1 -%}{{ return(false) }}{%- endif -%}
    {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
    {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {{- return(day <= month_days[month - 1]) -}}
{%- endmacro %}

{% macro check_setting(name, value, schema=none) -%}
    {#- {'value': typed value, 'problem': '' or the one-line message} for var `name`. `schema`:
        var_schema(), when the caller has it (each call parses the schema's JSON: a build makes
        hundreds of setting() calls). -#}
    {%- set schema = schema or var_schema() -%}
    {%- set patterns = schema.patterns -%}
    {%- set spec = schema.settings[name] -%}
    {%- set bad = {'value': none, 'problem': var_message(name, value, spec.allowed, spec.example)} -%}
    {%- set kind = spec.kind -%}
    {#- Words first: `none` is a choice of scaling and a special of feature_transforms, not null. -#}
    {%- if value is string and (value.strip().lower() in spec.specials or (kind == 'choice' and value.strip().lower() in spec.choices)) -%}
        {{ return({'value': value.strip().lower(), 'problem': ''}) }}
    {%- endif -%}
    {%- if _is_null(value) -%}
        {%- if spec.nullable -%}{{ return({'value': none, 'problem': ''}) }}{%- endif -%}
        {%- if kind in ['mapping', 'name_list'] and value is none and (spec.default == {} or spec.default == [] or spec.empty_allowed) -%}
            {{ return({'value': ({} if kind == 'mapping' else []), 'problem': ''}) }}
        {%- endif -%}
        {{ return(bad) }}
    {%- endif -%}
    {%- if kind in ['integer', 'number'] -%}
        {%- set number = _as_number(value, patterns) -%}
        {%- if number is none or not _in_range(spec, number) -%}{{ return(bad) }}{%- endif -%}
        {%- if kind == 'integer' -%}
            {%- if number != (number | int) -%}{{ return(bad) }}{%- endif -%}
            {{ return({'value': number | int, 'problem': ''}) }}
        {%- endif -%}
        {{ return({'value': number, 'problem': ''}) }}
    {%- endif -%}
    {%- if _is_bool(value) and kind != 'choice' -%}{{ return(bad) }}{%- endif -%}
    {%- if kind == 'choice' -%}
        {%- set text = (value | string).strip().lower() -%}
        {%- if text not in spec.choices -%}{{ return(bad) }}{%- endif -%}
        {{ return({'value': text, 'problem': ''}) }}
    {%- elif kind == 'text' -%}
        {%- if value is not string -%}{{ return(bad) }}{%- endif -%}
        {%- if value.strip().lower() in spec.choices -%}{{ return({'value': value.strip().lower(), 'problem': ''}) }}{%- endif -%}
        {%- if not _printable(value, patterns, spec.max_length) and not (spec.max_length == 1 and value == '\t') -%}{{ return(bad) }}{%- endif -%}
        {{ return({'value': value, 'problem': ''}) }}
    {%- elif kind == 'date' -%}
        {%- set text = (value | string).strip() -%}
        {%- if not _valid_date(text, patterns) -%}{{ return(bad) }}{%- endif -%}
        {{ return({'value': text, 'problem': ''}) }}
    {%- elif kind == 'path' -%}
        {%- if value is not string or not _printable(value, patterns, 4096) or not value.strip() -%}{{ return(bad) }}{%- endif -%}
        {{ return({'value': value, 'problem': ''}) }}
    {%- elif kind == 'relation' -%}
        {%- if value is not string or modules.re.match(patterns.relation, value) is none or value | length > 1000 -%}{{ return(bad) }}{%- endif -%}
        {{ return({'value': value, 'problem': ''}) }}
    {%- elif kind == 'mapping' -%}
        {%- if value is not mapping -%}{{ return(bad) }}{%- endif -%}
        {%- set result = {} -%}
        {%- for key, item in value.items() -%}
            {%- if item is none and spec.null_values and key is string and _printable(key, patterns, 4096) -%}
                {%- do result.update({key: none}) -%}
            {%- else -%}
                {%- if key is not string or not _printable(key, patterns, 4096) or not (item is string or item is number) or _is_bool(item) -%}{{ return(bad) }}{%- endif -%}
                {%- set text = item | string -%}
                {%- if spec.value_choices -%}
                    {%- set text = text.strip().lower() -%}
                    {%- if text not in spec.value_choices -%}{{ return(bad) }}{%- endif -%}
                {%- elif not text.strip() or '\x00' in text -%}
                    {{ return(bad) }}
                {%- endif -%}
                {%- do result.update({key: text}) -%}
            {%- endif -%}
        {%- endfor -%}
        {{ return({'value': result, 'problem': ''}) }}
    {%- elif kind == 'name_list' -%}
        {%- set items = [] -%}
        {%- if value is string -%}
            {%- for part in value.strip().strip('[]').split(',') -%}
                {%- set item = part.strip().strip('\'"').strip() -%}
                {%- if item -%}{%- do items.append(item) -%}{%- endif -%}
            {%- endfor -%}
        {%- elif value is iterable and value is not mapping -%}
            {%- for part in value -%}
                {%- if _is_bool(part) or not (part is string or part is integer) -%}{{ return(bad) }}{%- endif -%}
                {%- do items.append((part | string).strip()) -%}
            {%- endfor -%}
        {%- else -%}
            {{ return(bad) }}
        {%- endif -%}
        {%- set unique = [] -%}
        {%- for item in items -%}
            {%- if not item or not _printable(item, patterns, 4096) -%}{{ return(bad) }}{%- endif -%}
            {%- if item not in unique -%}{%- do unique.append(item) -%}{%- endif -%}
        {%- endfor -%}
        {%- if not unique and spec.default != [] and not spec.empty_allowed -%}{{ return(bad) }}{%- endif -%}
        {{ return({'value': unique, 'problem': ''}) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error('var_schema: unknown kind ' ~ kind ~ ' for var ' ~ name) }}
{%- endmacro %}

{% macro check_settings(values) -%}
    {#- {'values': {name: typed value}, 'problem': first one-line message or ''} for a dict of raw
        values (missing names take their defaults). The pairs (k_min <= k_max, ...) are checked last. -#}
    {%- set schema = var_schema() -%}
    {%- set typed = {} -%}
    {%- for name in schema.order -%}
        {%- set checked = check_setting(name, values.get(name, schema.settings[name].default), schema) -%}
        {%- if checked.problem -%}{{ return({'values': typed, 'problem': checked.problem}) }}{%- endif -%}
        {%- do typed.update({name: checked.value}) -%}
    {%- endfor -%}
    {%- for lower, upper in schema.pairs -%}
        {%- set low, high = typed[lower], typed[upper] -%}
        {%- if low is number and high is number and low > high -%}
            {%- set high_text = (high | int | string) if high == (high | int) else (high | string) -%}
            {{ return({'values': typed, 'problem': var_message(lower, values.get(lower, schema.settings[lower].default), 'at most ' ~ upper ~ ' (' ~ high_text ~ ')', schema.settings[lower].example)}) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'values': typed, 'problem': ''}) }}
{%- endmacro %}

{% macro _edit_distance(a, b) -%}
    {#- Levenshtein distance between two short names (for "did you mean"). -#}
    {%- set state = namespace(row=range(b | length + 1) | list) -%}
    {%- for i in range(1, a | length + 1) -%}
        {%- set row = [i] -%}
        {%- for j in range(1, b | length + 1) -%}
            {%- set cost = 0 if a[i - 1] == b[j - 1] else 1 -%}
            {%- do row.append([state.row[j] + 1, row[j - 1] + 1, state.row[j - 1] + cost] | min) -%}
        {%- endfor -%}
        {%- set state.row = row -%}
    {%- endfor -%}
    {{- return(state.row[b | length]) -}}
{%- endmacro %}

{% macro unknown_vars_message(given, known) -%}
    {#- '' when every name in `given` is a var of the schema, else one line naming the unknown
        ones, each with the closest var (at most a third of its letters changed), and the fix. -#}
    {%- set unknown = [] -%}
    {%- for name in given | map('string') | sort if name not in known -%}
        {%- set best = namespace(name=none, distance=99) -%}
        {#- No suggestion for a name far longer than any var: the distance costs length x length
            Jinja steps, and a pasted blob must not hold the parse for minutes. -#}
        {%- for candidate in (known if name | length <= 64 else []) -%}
            {%- set distance = _edit_distance(name.lower(), candidate) | int -%}
            {%- if distance < best.distance -%}{%- set best.name, best.distance = candidate, distance -%}{%- endif -%}
        {%- endfor -%}
        {%- set limit = [1, (name | length) // 3] | max -%}
        {%- do unknown.append(_shown(name) ~ (' (did you mean ' ~ best.name ~ '?)' if best.name is not none and best.distance <= limit else '')) -%}
    {%- endfor -%}
    {%- if not unknown -%}{{ return('') }}{%- endif -%}
    {{- return('unknown var' ~ ('s ' if unknown | length > 1 else ' ') ~ unknown | join(', ')
        ~ ': dbt ignores a var no model reads, so this run would use the default instead. '
        ~ 'Fix: correct the name; every var is in the README (Vars).') -}}
{%- endmacro %}

{% macro cli_var_names() -%}
    {#- The names given with --vars on the command line (dbt gives Jinja no other list of them). -#}
    {%- set given = invocation_args_dict.get('vars') if invocation_args_dict is mapping else none -%}
    {%- if given is string -%}{%- set given = fromyaml(given) if given.strip() else {} -%}{%- endif -%}
    {{- return(given.keys() | list if given is mapping else []) -}}
{%- endmacro %}

{% macro validate_vars() -%}
    {#- Every var of the schema, validated and typed; stops dbt with one line on the first bad one.
        A misspelled var would be ignored by dbt (the run silently takes the default), so names
        given with --vars that are no var of this project stop it too; only when this project is
        the one dbt runs: inside a host project the command line also carries the host's vars. -#}
    {%- set schema = var_schema() -%}
    {%- if project_name == 'customer_segmentation' -%}
        {%- set unknown = unknown_vars_message(cli_var_names(), schema.order) -%}
        {%- if unknown -%}{{ exceptions.raise_compiler_error(unknown) }}{%- endif -%}
    {%- endif -%}
    {%- set raw = {} -%}
    {%- for name in schema.order -%}
        {%- do raw.update({name: var(name, schema.settings[name].default)}) -%}
    {%- endfor -%}
    {%- set checked = check_settings(raw) -%}
    {%- if checked.problem -%}
        {{ exceptions.raise_compiler_error(checked.problem) }}
    {%- endif -%}
    {{ return(checked['values']) }}
{%- endmacro %}

{% macro setting(name) -%}
    {#- The validated, typed value of one var, for pasting into SQL (numbers are numbers here, so
        `{{ setting('recommendation_min_lift') }}` can never be `0 or true`). -#}
    {%- set schema = var_schema() -%}
    {%- if name not in schema.settings -%}
        {{ exceptions.raise_compiler_error('setting(' ~ name ~ '): no such var in the schema (src/customer_segmentation/settings_schema.py).') }}
    {%- endif -%}
    {%- set checked = check_setting(name, var(name, schema.settings[name].default), schema) -%}
    {%- if checked.problem -%}{{ exceptions.raise_compiler_error(checked.problem) }}{%- endif -%}
    {{ return(checked.value) }}
{%- endmacro %}

{% macro check_var_cases(cases) -%}
    {#- For tests: validate many [name, value] cases in one dbt invocation and log one JSON line
        per case: dbt run-operation check_var_cases --args '{cases: [[n_clusters, 1], ...]}'. -#}
    {%- for case in cases -%}
        {%- set result = check_settings({case[0]: case[1]}) if case | length == 2 else check_settings(case[0]) -%}
        {%- do log('VAR_CASE ' ~ tojson({'case': loop.index0, 'problem': result.problem}), info=true) -%}
    {%- endfor -%}
{%- endmacro %}
