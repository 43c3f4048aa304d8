{#- Parsing rules of the staging layer (README, "Staging: parsing rules"), one home for each:
    - numbers: text or typed columns to double; only finite numbers pass (NaN, Infinity, 1e309 are
      rejected with "<column> is not a finite number");
    - dates: the format of each text date column is detected once, at compile time, from all its
      distinct values (var date_formats sets it explicitly); implausible dates are rejected;
    - order lines: line value, returns (negative quantity or value, cancellation prefix or status);
    - the raw row as JSON, built only for rejected rows.
    DuckDB-only syntax stays inside these macros. -#}

{#- ---------------------------------------------------------------- inputs (h1's reader API) -#}

{% macro staging_input(kind) %}
    {#- Everything the base model needs to know about one input ('customers' or 'orders'):
        relation (FROM-clause SQL), columns (names in order), types ({name: DuckDB type}) and
        row_number (SQL numbering the rows from 1 in file order) and reader_numbers_rows (true
        when that number is the reader's own, Parquet's file_row_number: the input can then be
        re-read column by column and numbered the same way each time). -#}
    {%- set relation = input_relation(kind) -%}
    {%- set columns = [] -%}
    {%- set types = {} -%}
    {%- if execute -%}
        {%- set described = run_query("describe select * from " ~ relation) -%}
        {%- for row in described.rows -%}
            {%- do columns.append(row[0]) -%}
            {%- do types.update({row[0]: row[1] | string | upper}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set row_number = source_row_number_expression(relation) -%}
    {{ return({'relation': relation, 'columns': columns, 'types': types,
               'row_number': row_number,
               'reader_numbers_rows': row_number.startswith('(file_row_number')}) }}
{% endmacro %}

{% macro staging_column_mapping(kind, input, required) %}
    {#- {standard_name: source column}: the synonyms of macros/inputs/column_mapping.sql, plus any
        staging needs that the dictionary lacks (added only for names it does not have). -#}
    {%- set synonyms = customer_column_synonyms() if kind == 'customers' else order_column_synonyms() -%}
    {%- set merged = {} -%}
    {%- do merged.update(synonyms) -%}
    {%- for name, candidates in staging_extra_synonyms(kind).items() -%}
        {%- if name not in merged -%}{%- do merged.update({name: candidates}) -%}{%- endif -%}
    {%- endfor -%}
    {%- set overrides_var = 'customer_columns' if kind == 'customers' else 'order_columns' -%}
    {{ return(map_input_columns(kind, merged, overrides_var, required)) }}
{% endmacro %}

{% macro staging_extra_synonyms(kind) %}
    {%- if kind == 'customers' -%}
        {{ return({'income': ['income', 'yearly_income', 'household_income']}) }}
    {%- else -%}
        {{ return({
            'quantity': ['quantity', 'qty', 'units', 'quantity_ordered'],
            'unit_price': ['unit_price', 'unitprice', 'price', 'price_each', 'price_per_unit', 'sales_price'],
            'status': ['status', 'order_status'],
        }) }}
    {%- endif -%}
{% endmacro %}

{% macro source_row_number_expression(relation_sql) %}
    {#- The reader's own row number where it has one (Parquet's file_row_number, single file),
        else a row_number() in scan order. 1-based. -#}
    {%- set lowered = relation_sql | string | lower -%}
    {%- if lowered.startswith('read_parquet(') and '*' not in lowered and '?' not in lowered and '[' not in lowered -%}
        {{ return('(file_row_number + 1)') }}
    {%- endif -%}
    {{ return('row_number() over ()') }}
{% endmacro %}

{% macro reader_uses_every_thread(input) %}
    {#- True when the input is one Parquet file (reader_numbers_rows) with at least as many row
        groups as DuckDB has threads. DuckDB reads a Parquet file one row group per thread, and
        the work after the read runs on the reading thread: a file of fewer groups (pandas writes
        up to 1M rows as one) leaves threads idle. From the file's footer, not its data. -#}
    {%- if not (execute and input.reader_numbers_rows) -%}{{ return(false) }}{%- endif -%}
    {{ return(run_query(
        "select count(distinct row_group_id) >= cast(current_setting('threads') as bigint)"
        ~ " from parquet_metadata(" ~ input.relation[('read_parquet(' | length):]).columns[0].values()[0]) }}
{% endmacro %}

{% macro source_column_aliases(input) %}
    {#- {source column: safe positional alias}: parsed columns never collide with input names. -#}
    {%- set aliases = {} -%}
    {%- for column in input.columns -%}{%- do aliases.update({column: 'src_' ~ loop.index0}) -%}{%- endfor -%}
    {{ return(aliases) }}
{% endmacro %}

{% macro is_header_line(input) -%}
    {#- A line that repeats the header, as exports joined end to end (`cat jan.csv feb.csv`) have:
        every field equals its column's name (a byte-order mark of the joined file aside). Only for
        inputs read as text; a typed column never holds its name. The first comparison fails on
        ordinary lines, so the rest costs nothing. -#}
    {%- set checks = [] -%}
    {%- for column in input.columns -%}
        {%- if input.types.get(column) != 'VARCHAR' -%}{{ return('false') }}{%- endif -%}
        {%- do checks.append("coalesce(trim(replace(src_" ~ loop.index0 ~ ", chr(65279), '')) = " ~ quote_literal(column | trim) ~ ", false)") -%}
    {%- endfor -%}
    {{- checks | join(' and ') if checks else 'false' -}}
{%- endmacro %}

{% macro header_line_reason() -%}
    'a repeated header line (files joined end to end?)'
{%- endmacro %}

{% macro summary_row_words() %}
    {#- What a report writes in the id column of the rows below its table (lower case): `Average`,
        `Median`, `Total` footers of a CRM or spreadsheet report were kept as customers, got a
        segment and went into campaign files. -#}
    {{ return(['total', 'totals', 'grand total', 'subtotal', 'sub-total', 'sum', 'average', 'avg', 'mean',
               'median', 'count', 'min', 'max', 'minimum', 'maximum', 'std', 'stdev', 'std dev',
               'gesamt', 'summe', 'durchschnitt', 'mittelwert', 'somme', 'moyenne', 'suma', 'promedio',
               'media', 'mediana', 'totale', 'totaal', 'gemiddelde']) }}
{% endmacro %}

{% macro is_summary_row(id_expression) -%}
    {#- The row's customer id is a summary word (summary_row_words), in any case. -#}
    coalesce({{ is_one_of_words(id_expression, summary_row_words()) }}, false)
{%- endmacro %}

{% macro summary_row_reason() -%}
    'a summary row of a report (an id such as Total, Average or Median), not a customer'
{%- endmacro %}

{% macro quote_not_closed(input, kind) -%}
    {#- True on a row into which the CSV reader took the lines after it, because a quote opened in
        the row was never closed where it should have been (a stray " in a product name): one field
        then holds a line break followed by a line with as many delimiters as a whole row has, and
        the rows on those lines are lost inside it. A quoted line break in an address or a note
        (CRM exports) is followed by fewer. Only delimited files read as text; the regular
        expression runs only on fields that hold a line break. A quote never closed at all fails
        the read of the rest of the file instead: unreadable_lines_sql. -#}
    {%- set spec = input_kinds()[input_kind(kind)] -%}
    {%- if not execute or input_var_is_set(spec.relation_var) or not input_var_is_set(spec.path_var) -%}{{ return('false') }}{%- endif -%}
    {%- set aliases = [] -%}
    {%- for column in input.columns -%}{%- do aliases.append('src_' ~ loop.index0) -%}{%- endfor -%}
    {{- lines_swallowed_condition(input_file_plan(kind), aliases) -}}
{%- endmacro %}

{% macro lines_swallowed_condition(plan, columns) -%}
    {#- The test of quote_not_closed over `columns` (SQL expressions, one per field of the file
        read with `plan`); 'false' where it cannot happen (Parquet, whitespace-aligned files, one
        column). Shared with check_input_file, which reads the file under its own column names. -#}
    {%- if plan.format != 'csv' or plan.mode != 'delimited' or columns | length < 2 -%}{{ return('false') }}{%- endif -%}
    {%- set delimiter = ('\\' ~ plan.delimiter) if plan.delimiter in '\\]^-[' else plan.delimiter -%}
    {%- set pattern = '\\n(?:[^\\n]*[' ~ delimiter ~ ']){' ~ (columns | length - 1) ~ '}' -%}
    {%- set holds_break = [] -%}
    {%- set swallowed = [] -%}
    {%- for column in columns -%}
        {%- do holds_break.append("contains(" ~ column ~ ", chr(10))") -%}
        {%- do swallowed.append("coalesce(regexp_matches(" ~ column ~ ", " ~ quote_literal(pattern) ~ "), false)") -%}
    {%- endfor -%}
    (case when {{ holds_break | join(' or ') }} then {{ swallowed | join(' or ') }} else false end)
{%- endmacro %}

{% macro quote_not_closed_reason() -%}
    'a quote that is not closed: the lines after it were read into this row'
{%- endmacro %}

{% macro select_source_columns(input) -%}
    {%- for column in input.columns %}
        {{ quote_identifier(column) }} as src_{{ loop.index0 }},
    {%- endfor -%}
{%- endmacro %}

{% macro raw_record_json(input) -%}
    {#- The whole input row as JSON text, keys = the input's own headers. -#}
    cast(to_json({
    {%- for column in input.columns -%}
        {{ quote_literal(column) }}: src_{{ loop.index0 }}{{ ', ' if not loop.last }}
    {%- endfor -%}
    }) as varchar)
{%- endmacro %}

{% macro raw_values_json(field, names) -%}
    {#- The standard fields `names` as they arrived (text, null when blank), as one JSON object
        {"<name>": "<text>", ...}: one column instead of one per field, because every column costs
        a DuckDB write even when it is null on every kept row (~0.2 s per column at 10M lines).
        Read back exactly with raw_value(name) (a JSON string round trip is lossless). -#}
    cast(to_json({
    {%- for name in names -%}
        {{ quote_literal(name) }}: {{ text_value(field[name]) }}{{ ', ' if not loop.last }}
    {%- endfor -%}
    }) as varchar)
{%- endmacro %}

{% macro raw_value(name, column='raw_values') -%}
    json_extract_string({{ column }}, {{ quote_literal('$."' ~ name ~ '"') }})
{%- endmacro %}

{% macro line_hash(input) -%}
    hash({%- for column in input.columns -%}{{ quote_identifier(column) }}{{ ', ' if not loop.last }}{%- endfor -%})
{%- endmacro %}

{% macro line_check_hash(input) -%}
    {#- A second hash of the same values (reversed order, salted), to confirm line_hash matches. -#}
    hash('line check'{%- for column in input.columns | reverse -%}, {{ quote_identifier(column) }}{%- endfor -%})
{%- endmacro %}

{#- ---------------------------------------------------------------- values -#}

{% macro standard_field_expressions(names, number_names, mapping, aliases, types) -%}
    {#- For each standard field of a base model: the expression that reads it from the source CTE
        and its type. An unmapped field is a typed null (a number field a double, so its parsing
        compiles to a plain cast instead of the text rules over a null). Returns
        {'field': {name: expression}, 'type': {name: type}}. -#}
    {%- set field = {} -%}
    {%- set field_type = {} -%}
    {%- for name in names -%}
        {%- if name in mapping and mapping[name] in aliases -%}
            {%- do field.update({name: aliases[mapping[name]]}) -%}
            {%- do field_type.update({name: types[mapping[name]]}) -%}
        {%- elif name in number_names -%}
            {%- do field.update({name: 'cast(null as double)'}) -%}
            {%- do field_type.update({name: 'DOUBLE'}) -%}
        {%- else -%}
            {%- do field.update({name: 'cast(null as varchar)'}) -%}
            {%- do field_type.update({name: 'VARCHAR'}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'field': field, 'type': field_type}) }}
{%- endmacro %}

{% macro text_value(expression) -%}
    nullif(trim(cast({{ expression }} as varchar)), '')
{%- endmacro %}

{% macro try_cast_value(expression, data_type) -%}
    {#- A cast that yields null instead of failing. dbt's own safe_cast is a plain cast on DuckDB. -#}
    {{ return(adapter.dispatch('try_cast_value')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast_value(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__try_cast_value(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro is_numeric_type(data_type) %}
    {%- set base = (data_type | string | upper).split('(')[0] -%}
    {{ return(base in ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT',
                       'UINTEGER', 'UBIGINT', 'UHUGEINT', 'FLOAT', 'DOUBLE', 'REAL', 'DECIMAL', 'NUMERIC']) }}
{% endmacro %}

{% macro number_value(expression, data_type, decimal='.') -%}
    {#- A double, finite or not (null when the text is no number). Typed columns: no text round trip.
        Text is read with `decimal` as its decimal point (macros/inputs/numbers.sql). -#}
    {%- if is_numeric_type(data_type) -%}
        cast({{ expression }} as double)
    {%- else -%}
        {%- set text = text_value(expression) -%}
        {%- set as_written = try_cast_value(number_text(text, decimal), 'double') -%}
        {#- A CASE, not coalesce: DuckDB then runs the regular expressions only on the cells that
            do not read as they are (at 10M plain cells: +0.03 s, against +0.7 s). -#}
        case
            when {{ as_written }} is not null or {{ text }} is null then {{ as_written }}
            else {{ try_cast_value(number_text(plain_number_text(text), decimal), 'double') }}
        end
    {%- endif -%}
{%- endmacro %}

{% macro finite_or_null(number) -%}
    case when isfinite({{ number }}) then {{ number }} end
{%- endmacro %}

{% macro missing_value_words() %}
    {#- How exports write "no value" in a number, date or customer id cell (lower case, trimmed): SQL
        and BI tools (NULL, (null)), R (NA), Excel (#N/A), forms (N/A, None). Read like an empty
        cell: a missing value (imputed, or "missing <column>" where one is required), never "not a
        number" and never a customer called NULL; Zoho CRM writes an empty picklist as `-None-`. Not
        `-` (an accounting export's zero) and not NaN (a number that is not finite). -#}
    {{ return(['null', '(null)', 'na', 'n/a', '#n/a', 'none', '-none-']) }}
{% endmacro %}

{% macro is_missing_word(text, also=[]) -%}
    {#- `text` (trimmed) is a missing-value word (missing_value_words, and `also`). -#}
    {{ is_one_of_words(text, missing_value_words() + also) }}
{%- endmacro %}

{% macro unknown_value_words() %}
    {#- How forms and CRMs write "not known" or "the person did not say" in a number or date cell
        (lower case, trimmed): an income of `Unknown`, `Prefer not to say`, `Keine Angabe`, MySQL's
        zero date `0000-00-00`. Read like an empty cell (the value missing, imputed where it is a
        feature), where such a cell rejected the customer and every order of theirs (13% of a CRM
        export). Checked only on cells that did not parse (is_missing_cell), never on customer ids
        (an id `unknown` is a placeholder: placeholder_customer_ids). -#}
    {{ return(['unknown', 'unbekannt', 'inconnu', 'desconocido', 'sconosciuto', 'onbekend', 'not known',
               'prefer not to say', 'prefer not to answer', 'rather not say', 'not disclosed', 'undisclosed',
               'not provided', 'not available', 'not applicable', 'n.a.', 'n. a.', 'k.a.', 'k. a.', 'keine angabe',
               'keine angaben', 'declined to state', '0000-00-00', '0000-00-00 00:00:00', '00/00/0000',
               '00.00.0000']) }}
{% endmacro %}

{% macro is_missing_cell(text) -%}
    {#- A number or date cell's `text` (trimmed) that says "no value": missing_value_words and
        unknown_value_words. -#}
    {{ is_missing_word(text, unknown_value_words()) }}
{%- endmacro %}

{% macro is_one_of_words(text, words) -%}
    {#- `text` (trimmed) is one of `words` (ASCII, lower case), in any case: one case-blind regular
        expression (lower() on each value would cost +0.75 s at 10M ids), run only on values no
        longer than the longest word (no other character folds to their letters): 10M customer ids
        of 8 characters 1.26-1.41 s with the expression on each, 0.75-0.89 s with the length first,
        the same as no check, so it can run on every customer id. -#}
    {%- set escaped = [] -%}
    {%- for word in words -%}{%- do escaped.append(modules.re.escape(word)) -%}{%- endfor -%}
    (case when strlen({{ text }}) > {{ words | map('length') | max }} then false
        else regexp_full_match({{ text }}, {{ quote_literal('(?i)' ~ escaped | join('|')) }}) end)
{%- endmacro %}

{% macro is_blank(expression, data_type, parsed=none) -%}
    {#- Typed columns are tested as they are (no text round trip); text is blank when empty, or,
        given `parsed` (its number or date), when it did not parse and is a missing-value word
        (missing_value_words; tested only on the cells that did not parse: lower() on every cell
        of a 10M-line column costs about 1 s). -#}
    {%- if (data_type | string | upper) == 'VARCHAR' -%}
        ({{ text_value(expression) }} is null
        {%- if parsed is not none %} or ({{ parsed }} is null and {{ is_missing_cell(text_value(expression)) }}){% endif %})
    {%- else -%}
        {{ expression }} is null
    {%- endif -%}
{%- endmacro %}

{% macro number_problem(name, raw_expression, number, data_type='VARCHAR') -%}
    {#- The reason a cell is not a usable number, or null. NaN, Infinity and 1e309 (overflow)
        parse as doubles but are not finite. -#}
    case
        {%- if not is_numeric_type(data_type) %}
        when {{ text_value(raw_expression) }} is not null and {{ number }} is null
                and not {{ is_missing_cell(text_value(raw_expression)) }}
            then {{ quote_literal(name ~ ' is not a number') }}
        {%- endif %}
        when not isfinite({{ number }})
            then {{ quote_literal(name ~ ' is not a finite number') }}
    end
{%- endmacro %}

{% macro standard_value_bounds() %}
    {#- The range a standard customer number must be in, with the words of its rejection reason.
        The one home of these bounds: staging rejects a row outside them (base_customers), and a
        derived feature named like the column (`age: "2014 - year_birth"`) reads such a value as
        missing (int_customer_features, the derived_value_out_of_range WARN). -#}
    {{ return({
        'age': {'low': 0, 'high': 120, 'reason': 'age outside 0-120'},
        'annual_income_k': {'low': 0, 'high': none, 'reason': 'negative annual_income_k'},
        'income': {'low': 0, 'high': none, 'reason': 'negative income'},
        'spending_score': {'low': 1, 'high': 100, 'reason': 'spending_score outside 1-100'},
    }) }}
{% endmacro %}

{% macro outside_standard_bounds(name, number) -%}
    {#- SQL: `number` (a finite number) is outside the bounds of standard column `name`; `false`
        for a column without bounds. -#}
    {%- set bounds = standard_value_bounds().get(name) -%}
    {%- if bounds is none -%}
        false
    {%- else -%}
        (isfinite({{ number }}) and ({{ number }} < {{ bounds.low }}
        {%- if bounds.high is not none %} or {{ number }} > {{ bounds.high }}{% endif %}))
    {%- endif -%}
{%- endmacro %}

{% macro bounds_problem(name, number) -%}
    {#- The rejection reason of a standard number outside its bounds, or null. -#}
    case when {{ outside_standard_bounds(name, number) }} then {{ quote_literal(standard_value_bounds()[name].reason) }} end
{%- endmacro %}

{% macro unknown_customer_reason() -%}
    {#- The rejection reason of an order line whose customer id is in no kept customer row (the
        rejected-share health tests look for it). -#}
    {{- return('customer_id is not a valid customer (unknown or rejected)') -}}
{%- endmacro %}

{% macro customer_id_matchings() %}
    {#- The ways var customer_id_matching can match an order line's customer id to a customer
        besides as written, narrowest first (the health finding names the first that matches):
        how the rejection reason, the console and the health finding say it. -#}
    {{ return({
        'ignore_leading_zeros': {'reason': 'once leading zeros are dropped', 'console': 'without leading zeros',
                                 'example': "customers '042' and '42', a line '0042'"},
        'ignore_case': {'reason': 'once case is ignored', 'console': 'in another case',
                        'example': "customers 'Ann@Shop.com' and 'ann@shop.com', a line 'ANN@SHOP.COM'"},
        'digits_only': {'reason': 'once only its digits are compared', 'console': 'by their digits',
                        'example': "customers 'C-42' and 'K42', a line '42'"},
    }) }}
{% endmacro %}

{% macro ambiguous_customer_reason(matching) -%}
    {#- The rejection reason of an order line whose customer id, compared the var's way, is the id
        of two or more kept customers (`042` and `42`; `Ann@shop.com` and `ann@shop.com`) and of
        none as written. -#}
    {%- if matching == 'email' -%}{{- return('customer_id (an email) is the email of several customers') -}}{%- endif -%}
    {{- return('customer_id matches several customers ' ~ customer_id_matchings()[matching].reason) -}}
{%- endmacro %}

{% macro customer_id_matches(relation, column, float_ids, customers, matching) %}
    {#- For the console, under var customer_id_matching: of the first 100,000 lines with a customer
        id, how many name a kept customer as written and how many only the var's way, so a user
        sees what the var did. -#}
    {%- if not execute or column is none -%}{{ return(none) }}{%- endif -%}
    {%- set row = run_query(
        "with ids as (select " ~ id_value(quote_identifier(column), float_ids) ~ " as id from " ~ first_rows(relation) ~ "), "
        ~ "kept as (select customer_id from " ~ customers ~ " where rejection_reason is null and customer_id is not null), "
        ~ "keys as (select " ~ customer_id_key('customer_id', matching) ~ " as id_key, count(*) as customers from kept group by 1) "
        ~ "select count(*) filter (where kept.customer_id is not null), "
        ~ "count(*) filter (where kept.customer_id is null and keys.customers = 1) "
        ~ "from ids left join kept on ids.id = kept.customer_id "
        ~ "left join keys on " ~ customer_id_key('ids.id', matching) ~ " = keys.id_key "
        ~ "where ids.id is not null").rows[0] -%}
    {{ return({'as_written': row[0], 'matched_otherwise': row[1], 'how': customer_id_matchings()[matching].console}) }}
{% endmacro %}

{% macro customer_id_key(expression, matching) -%}
    {#- A customer id as var customer_id_matching compares it, null for null. ignore_leading_zeros:
        without its leading zeros (`0042` -> `42`; an id of zeros only -> `0`); ignore_case: in
        lower case (`Ann@Shop.com` -> `ann@shop.com`); digits_only: its digits without leading
        zeros (`CUST-0042`, `C42` -> `42`), null for an id without digits and for an email (an
        email matches only as written: `ann1984@gmail.com` and `bob1984@yahoo.com` were one
        customer `1984`). -#}
    {%- if matching == 'ignore_leading_zeros' -%}
    case when ltrim({{ expression }}, '0') = '' then '0' else ltrim({{ expression }}, '0') end
    {%- elif matching == 'ignore_case' -%}
    lower({{ expression }})
    {%- elif matching == 'email' -%}
    lower({{ expression }})
    {%- elif matching == 'digits_only' -%}
    case when not contains({{ expression }}, '@') then
        {{ customer_id_key("nullif(regexp_replace(" ~ expression ~ ", '[^0-9]', '', 'g'), '')", 'ignore_leading_zeros') }}
    end
    {%- else -%}
    {{ exceptions.raise_compiler_error("customer_id_key: no key for customer_id_matching " ~ matching) }}
    {%- endif -%}
{%- endmacro %}

{% macro orders_keyed_by_email(relation, column, customers_relation) %}
    {#- True when the orders' customer ids are emails (95% of the first 1,000 have an `@`), the
        kept customers' ids are not (under 5%), and most kept customers (80%) have an email: the
        orders then find their customers by email (base_orders, customer_keys). -#}
    {%- if not execute or column is none or not has_input('customers') or load_relation(customers_relation) is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set value = text_value(quote_identifier(column)) -%}
    {%- set orders = run_query("select count(v), count(*) filter (where contains(v, '@')) from (select " ~ value
        ~ " as v from " ~ first_rows(relation) ~ " where " ~ value ~ " is not null limit 1000)").rows[0] -%}
    {%- if orders[0] == 0 or orders[1] < 0.95 * orders[0] -%}{{ return(false) }}{%- endif -%}
    {%- set customers = run_query("select count(*), count(*) filter (where contains(customer_id, '@')), count(email) from "
        ~ customers_relation ~ " where rejection_reason is null and customer_id is not null").rows[0] -%}
    {{ return(customers[0] > 0 and customers[1] < 0.05 * customers[0] and customers[2] >= 0.8 * customers[0]) }}
{% endmacro %}

{% macro consent_words() %}
    {#- How exports write yes and no in a consent column (lower case, trimmed): booleans, checkboxes,
        newsletter tools' statuses, a few languages. 1 and 0 written as floats (`1.0`: pandas
        writes an integer column with a blank in it that way) are read by parse_boolean. -#}
    {{ return({
        'yes': ['true', 't', '1', 'yes', 'y', 'on', 'x', 'subscribed', 'opted in', 'opted-in', 'opt-in',
                'opt in', 'granted', 'ja', 'oui', 'si', 'sí'],
        'no': ['false', 'f', '0', 'no', 'n', 'off', 'unsubscribed', 'not subscribed', 'opted out',
               'opted-out', 'opt-out', 'opt out', 'declined', 'revoked', 'nein', 'non',
               'cleaned', 'pending', 'non_subscribed', 'non-subscribed', 'never_subscribed', 'never subscribed',
               'bounced', 'suppressed', 'archived'],
    }) }}
{% endmacro %}

{% macro parse_boolean(expression) -%}
    {%- set words = consent_words() -%}
    case
        when lower({{ text_value(expression) }}) in ({{ quote_literals(words.yes) }}) then true
        when lower({{ text_value(expression) }}) in ({{ quote_literals(words.no) }}) then false
        when try_cast({{ text_value(expression) }} as double) = 1 then true
        when try_cast({{ text_value(expression) }} as double) = 0 then false
    end
{%- endmacro %}

{% macro unrecognised_boolean(expression) -%}
    {#- The value as it arrived when it is neither a yes nor a no parse_boolean knows, else null. -#}
    case
        when {{ text_value(expression) }} is not null and {{ parse_boolean(expression) }} is null
            then {{ text_value(expression) }}
    end
{%- endmacro %}

{% macro consent_value(field, mapping, opt_in, opt_out) -%}
    {#- Consent from an opt-in column, an opt-out column, or both (then both must agree): only an
        explicit yes in an opt-in column is consent; an opt-out column's yes is no consent, its
        blank is not unsubscribed, any other value no consent. Several columns that read as the
        opt-in (consent_column_keys: Klaviyo's `Email Marketing Consent` beside a synced
        `Accepts Marketing`) combine the same way: consent only when every filled one says yes
        and at least one is filled; a no or an unknown value in any one is no consent. Several
        opt-out columns: a yes in any one is no consent. -#}
    {%- set consent = [] -%}
    {%- set opt_ins = consent_column_keys(mapping, opt_in) -%}
    {%- if opt_ins | length == 1 -%}
        {%- do consent.append('coalesce(' ~ parse_boolean(field[opt_in]) ~ ', false)') -%}
    {%- elif opt_ins -%}
        {%- set filled = [] -%}
        {%- for key in opt_ins -%}
            {%- do consent.append('coalesce(' ~ parse_boolean(field[key]) ~ ', ' ~ text_value(field[key]) ~ ' is null)') -%}
            {%- do filled.append(text_value(field[key]) ~ ' is not null') -%}
        {%- endfor -%}
        {%- do consent.append('(' ~ filled | join(' or ') ~ ')') -%}
    {%- endif -%}
    {%- for key in consent_column_keys(mapping, opt_out) -%}
        {%- do consent.append('coalesce(not ' ~ parse_boolean(field[key]) ~ ', ' ~ text_value(field[key]) ~ ' is null)') -%}
    {%- endfor -%}
    {{ consent | join(' and ') }}
{%- endmacro %}

{% macro unrecognised_consent_value(field, mapping, opt_in, opt_out) -%}
    {#- The first value of the consent's columns (consent_column_keys) that is no known yes or no. -#}
    {%- set values = [] -%}
    {%- for key in consent_column_keys(mapping, opt_in) + consent_column_keys(mapping, opt_out) -%}
        {%- do values.append(unrecognised_boolean(field[key])) -%}
    {%- endfor -%}
    coalesce({{ (values or ['null', 'null']) | join(', ') }}, null)
{%- endmacro %}

{% macro consent_raw_value(field, mapping, key) -%}
    {#- customers_rejected's raw value of a consent's further columns (`key`_2, ...; keys of
        raw_values `<key>_also`): their text joined, null when all are blank or there are none. -#}
    {%- set texts = [] -%}
    {%- for extra in consent_column_keys(mapping, key)[1:] -%}{%- do texts.append(text_value(field[extra])) -%}{%- endfor -%}
    {{ ("concat_ws(' | ', " ~ texts | join(', ') ~ ")") if texts else 'cast(null as varchar)' }}
{%- endmacro %}

{% macro log_combined_consents(mapping) %}
    {#- The console line of base_customers naming the consent columns read together
        (consent_column_keys), so the user sees what a campaign list's consent is made of. -#}
    {%- if not execute or flags.WHICH not in ['build', 'run', 'retry'] -%}{{ return('') }}{%- endif -%}
    {%- for key in consent_keys() if consent_column_keys(mapping, key) | length > 1 -%}
        {%- set columns = [] -%}
        {%- for each in consent_column_keys(mapping, key) -%}{%- do columns.append(mapping[each] | tojson) -%}{%- endfor -%}
        {%- set rule = "a customer has it only when every filled one says yes (a no in any of them is a no)" if key.endswith('_in')
            else "a yes in any of them is no consent" -%}
        {%- do log(this.identifier ~ ": " ~ key ~ " is read from " ~ columns | length ~ " columns combined, "
            ~ columns | join(' and ') ~ ": " ~ rule ~ ". To read one only, name it: --vars '{customer_columns: {"
            ~ key ~ ": \"<column>\"}}'", info=true) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{% macro names_a_channel(header) %}
    {#- Whether a consent column's header names email (`Accepts Email Marketing`, `Email Opt In`,
        `Newsletter`, a mailing list's `Subscribed` / `Subscriber Status`): such consent is for
        email, and no SMS consent. `Marketing Opt In`, `Accepts Marketing`, `Opt In` or a name the
        user gave (`Consent`) name no channel. -#}
    {%- set name = normalize_column_name(header) -%}
    {%- for word in ['mail', 'newsletter', 'subscri'] if word in name -%}{{ return(true) }}{%- endfor -%}
    {{ return(false) }}
{% endmacro %}

{% macro sms_consent_basis(mapping) %}
    {#- Where a customer's SMS consent comes from: `sms_column` (sms_opt_in / sms_opt_out mapped),
        `general_consent` (the consent columns name no channel, so they cover SMS too),
        `email_consent_only` (a consent column, or one of several read together, is for email: no one
        has SMS consent), or
        `no_consent_column` (everyone counts as opted in, as for email; consent_column_missing). -#}
    {%- if 'sms_opt_in' in mapping or 'sms_opt_out' in mapping -%}{{ return('sms_column') }}{%- endif -%}
    {%- set headers = [] -%}
    {%- for key in ['marketing_opt_in', 'marketing_opt_out'] -%}
        {%- for each in consent_column_keys(mapping, key) -%}{%- do headers.append(mapping[each]) -%}{%- endfor -%}
    {%- endfor -%}
    {%- if not headers -%}{{ return('no_consent_column') }}{%- endif -%}
    {%- for header in headers if names_a_channel(header) -%}{{ return('email_consent_only') }}{%- endfor -%}
    {{ return('general_consent') }}
{% endmacro %}

{% macro first_rows(relation) %}
    {#- The rows compile-time decisions look at (decimal separator, what `m` means, float-written
        ids): the first 100,000, so a 10M-line CSV is not read again in full at every compile. -#}
    {{ return("(select * from " ~ relation ~ " limit 100000)") }}
{% endmacro %}

{% macro column_has_blanks(relation, column) %}
    {#- Whether the column is blank anywhere in the first 100,000 rows (a shop export that writes
        an order-level field on the order's first line only). False without the column. -#}
    {%- if not execute or column is none -%}{{ return(false) }}{%- endif -%}
    {%- set row = run_query("select count(*) filter (where " ~ text_value(quote_identifier(column))
        ~ " is null) from " ~ first_rows(relation)).rows[0] -%}
    {{ return(row[0] > 0) }}
{% endmacro %}

{% macro gender_words() %}
    {#- Spellings of the gender column, lower case, in the languages exports come in, and the
        salutations a CRM's `Anrede` / `Salutation` writes (Herr, Frau, Divers; Mr, Mrs, Ms). A letter that
        means one thing in one language and another elsewhere is decided per input (gender_letters).
        `unknown`: a gender not given (`Unknown`, `U`, `Prefer not to say`, `N/A`, `-`), and a
        salutation that is a doctor's or professor's title (`Dr.`, `Prof.`, `Prof. Dr.`), which
        says nothing of the gender: missing, as an empty cell is, not Other. Anything else reads
        as Other and is named by the gender_not_recognised WARN. -#}
    {{ return({
        'female': ['f', 'female', 'woman', 'women', 'w', 'weiblich', 'frau', 'femme', 'féminin', 'feminin',
                   'mujer', 'femenino', 'feminino', 'donna', 'vrouw', 'v',
                   'mrs', 'mrs.', 'ms', 'ms.', 'miss', 'madame', 'mme', 'mme.', 'señora', 'sra', 'sra.', 'signora', 'mevrouw'],
        'male': ['male', 'man', 'men', 'männlich', 'maennlich', 'mann', 'h', 'homme', 'masculin',
                 'hombre', 'masculino', 'uomo',
                 'herr', 'mr', 'mr.', 'monsieur', 'señor', 'sr', 'sr.', 'signore', 'sig.', 'meneer', 'dhr', 'dhr.'],
        'other': ['other', 'd', 'divers', 'diverse', 'x', 'non-binary', 'nonbinary', 'non binary', 'nb',
                  'autre', 'otro', 'altro', 'mx', 'mx.'],
        'unknown': missing_value_words() + missing_id_words()
                   + ['unknown', 'u', 'unk', 'not known', 'not specified', 'unspecified', 'not stated',
                      'prefer not to say', 'prefer not to answer', 'rather not say', 'declined', '-', '--', '?',
                      'unbekannt', 'keine angabe', 'k.a.', 'inconnu', 'non précisé', 'desconocido',
                      'no especificado', 'sconosciuto', 'onbekend',
                      'dr', 'dr.', 'doctor', 'doktor', 'prof', 'prof.', 'professor', 'prof. dr.', 'prof.dr.',
                      'prof dr', 'dr. dr.', 'dr. med.', 'dr.-ing.'],
    }) }}
{% endmacro %}

{% macro gender_letters(relation, column, data_type) %}
    {#- What a bare `m` means in this input: male (English, German, French) unless the column
        writes men as `h` (hombre, homme) and women in no language where `m` is a man, as a Spanish
        export (H/M, Mujer) does: then `m` is mujer. A woman written as in English, German or
        Dutch (`f`, `w`, `Frau`, `Mrs`, `v`) keeps `m` male: a German m/w column with one stray `h` read its 77 men as women. Decided from the
        first 100,000 rows; base_customers says so on the console when `m` is mujer. -#}
    {%- if not execute or column is none or (data_type | string | upper) != 'VARCHAR' -%}{{ return('male') }}{%- endif -%}
    {%- set value = "lower(" ~ text_value(quote_identifier(column)) ~ ")" -%}
    {%- set row = run_query("select count(*) filter (where " ~ value ~ " in ('h', 'hombre')), count(*) filter (where "
        ~ value ~ " in (" ~ quote_literals(['f', 'female', 'woman', 'women', 'w', 'weiblich', 'frau', 'mrs', 'mrs.', 'ms', 'ms.', 'miss', 'vrouw', 'v', 'mevrouw'])
        ~ "))" ~ " from " ~ first_rows(relation)).rows[0] -%}
    {{ return('female' if row[0] > 0 and row[1] == 0 else 'male') }}
{% endmacro %}

{% macro titled_salutation(text) -%}
    {#- SQL: the salutation before a doctor's or professor's title (`herr` of `herr dr.`, `frau` of
        `frau prof. dr.`, `mrs` of `mrs dr`), as a CRM's `Anrede` writes both in one cell; null
        when `text` (lower case) is no salutation followed by such a title. -#}
    case when regexp_matches({{ text }}, {{ quote_literal('^[a-zäöüéèñ.]+ +(dr|prof|doktor|professor)([ .-]|$)') }})
        then split_part({{ text }}, ' ', 1) end
{%- endmacro %}

{% macro normalize_gender(expression, m_means='male') -%}
    {%- set words = gender_words() -%}
    {%- set text = "lower(" ~ text_value(expression) ~ ")" -%}
    {%- set female = words.female + (['m'] if m_means == 'female' else []) -%}
    {%- set male = words.male + (['m'] if m_means == 'male' else []) -%}
    case
        when {{ text }} in ({{ quote_literals(female) }}) then 'Female'
        when {{ text }} in ({{ quote_literals(male) }}) then 'Male'
        when {{ text }} is null or {{ text }} in ({{ quote_literals(words.unknown) }}) then null
        -- `Herr Dr.`, `Frau Prof. Dr.`: the salutation says the gender, the title nothing.
        when {{ titled_salutation(text) }} in ({{ quote_literals(female) }}) then 'Female'
        when {{ titled_salutation(text) }} in ({{ quote_literals(male) }}) then 'Male'
        else 'Other'
    end
{%- endmacro %}

{% macro unrecognised_gender(expression) -%}
    {#- The value as it arrived when it is no known spelling (it reads as Other), else null. -#}
    {%- set words = gender_words() -%}
    {%- set known = words.female + words.male + words.other + words.unknown + ['m'] -%}
    {%- set text = "lower(" ~ text_value(expression) ~ ")" -%}
    {#- (nested, so the regular expression runs only on the few values no list knows) -#}
    case
        when {{ text }} not in ({{ quote_literals(known) }}) then
            case when coalesce({{ titled_salutation(text) }} not in ({{ quote_literals(words.female + words.male + ['m']) }}), true)
                then {{ text_value(expression) }} end
    end
{%- endmacro %}

{#- ---------------------------------------------------------------- dates -#}

{% macro date_format_candidates() %}
    {#- Tried in this order; 'iso' is DuckDB's own timestamp cast (yyyy-mm-dd, yyyy/mm/dd, with or
        without a time, `T`, `Z` or an offset); 'epoch' is Unix time in seconds (9-10 digits),
        milliseconds (12-13 digits) or microseconds (15-16 digits, GA4's event_timestamp), as APIs
        and payment exports write it, read as UTC; 'excel'
        is a spreadsheet's day number (45352 = 2024-03-01, 5 digits, a time as its fraction).
        Each strptime format is also tried with a time after it (date_time_suffixes). Month names
        in English, short (%b: Apr) or long (%B: April), as spreadsheets format dates for reading
        (`April 1, 2024`, `1 April 2024`) and mail or HTTP headers write them (`Mon, 01 Apr 2024`).
        Two-digit years (%y: 00-68 are 2000-2068, 69-99 are 1969-1999), as Excel writes US dates
        (`3/1/24`) and Oracle its default (`01-MAR-24`); a %Y format does not read them (it would
        read the year 24). Year first with dots (`2023.01.04`, as Hungarian, Korean and Chinese
        exports write it) and a web server log's `04/Jan/2023`. eBay's orders report writes the
        month first between dashes (`Mar-01-24`, `Mar-01-2024`). -#}
    {{ return(['iso', 'epoch', 'excel', '%Y%m%d', '%d-%m-%Y', '%m-%d-%Y', '%d/%m/%Y', '%m/%d/%Y', '%d.%m.%Y',
               '%Y.%m.%d', '%d/%b/%Y', '%d-%b-%Y', '%d %b %Y', '%b %d %Y', '%b %d, %Y', '%d-%B-%Y', '%d %B %Y', '%B %d %Y', '%B %d, %Y',
               '%a, %d %b %Y', '%m/%d/%y', '%d/%m/%y', '%d.%m.%y', '%d-%m-%y', '%m-%d-%y', '%d-%b-%y',
               '%b-%d-%Y', '%b-%d-%y']) }}
{% endmacro %}

{% macro date_format_suggestions() %}
    {#- Formats never detected (a month without its day is no date to guess; a run of eight digits
        other than yyyymmdd reads two ways), but named in the fix when a column no candidate reads
        is written that way, so the var the message suggests is the one that reads it. -#}
    {{ return(['%Y%m', '%Y-%m', '%Y/%m', '%m/%Y', '%m.%Y', '%m-%Y', '%b %Y', '%B %Y', '%b-%Y', '%b-%y',
               '%d%m%Y', '%m%d%Y', '%d%m%y', '%Y.%m.%d.', '%Y. %m. %d.', '%Y-%m-%d-%H.%M.%S',
               '%d/%b/%Y:%H:%M:%S %z', '%A, %B %d, %Y', '%A, %d %B %Y', '%d/%m/%Y %H.%M']) }}
{% endmacro %}

{% macro suggested_date_format(values_sql) %}
    {#- The format of date_format_suggestions that reads the most of the column's values (at
        least half of them), with the count it reads: {'format', 'read', 'total'}; none when
        no suggestion reads that many. -#}
    {%- set suggestions = date_format_suggestions() -%}
    {%- set counts = [] -%}
    {%- for candidate in suggestions -%}
        {%- do counts.append("count(try_strptime(v, " ~ quote_literal(candidate) ~ "))") -%}
    {%- endfor -%}
    {%- set row = run_query("select count(v), " ~ counts | join(', ') ~ " from " ~ values_sql ~ " as distinct_values").rows[0] -%}
    {%- set best = {'format': none, 'read': 0, 'total': row[0]} -%}
    {%- for candidate in suggestions -%}
        {%- if row[loop.index] > best.read -%}
            {%- do best.update({'format': candidate, 'read': row[loop.index]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(best if best.format is not none and best.read * 2 >= best.total else none) }}
{% endmacro %}

{% macro date_time_suffixes() %}
    {#- The times a date may carry: 24-hour, and 12-hour with AM / PM (`1/31/2024 8:26:00 PM`, as
        US spreadsheets and .NET / SQL Server exports write it; any case). -#}
    {{ return(['', ' %H:%M', ' %H:%M:%S', ' %I:%M %p', ' %I:%M:%S %p']) }}
{% endmacro %}

{% macro month_names() %}
    {#- By month: its English name and abbreviation, then its names and abbreviations in Spanish,
        Portuguese, French, German, Italian and Dutch (lower case, accents dropped): strptime's %b / %B read
        English only, so `3 de enero de 2024` (Mercado Libre), `3. März 2024`, `3 janv. 2024` read
        no format, and the fix offered (a strftime format) could not read them either. -#}
    {{ return([
        ['january', 'jan', 'enero', 'ene', 'janvier', 'janv', 'januar', 'janner', 'gennaio', 'gen', 'janeiro', 'januari'],
        ['february', 'feb', 'febrero', 'fevrier', 'fevr', 'fev', 'februar', 'febbraio', 'fevereiro', 'februari'],
        ['march', 'mar', 'marzo', 'mars', 'marz', 'maerz', 'marco', 'maart', 'mrt'],
        ['april', 'apr', 'abril', 'abr', 'avril', 'avr', 'aprile'],
        ['may', 'may', 'mayo', 'mai', 'maggio', 'mag', 'maio', 'mei'],
        ['june', 'jun', 'junio', 'juin', 'juni', 'giugno', 'giu', 'junho'],
        ['july', 'jul', 'julio', 'juillet', 'juil', 'juli', 'luglio', 'lug', 'julho'],
        ['august', 'aug', 'agosto', 'ago', 'aout', 'augustus'],
        ['september', 'sep', 'sept', 'septiembre', 'setiembre', 'set', 'septembre', 'settembre', 'setembro'],
        ['october', 'oct', 'octubre', 'octobre', 'oktober', 'okt', 'ottobre', 'ott', 'outubro', 'out'],
        ['november', 'nov', 'noviembre', 'novembre', 'novembro'],
        ['december', 'dec', 'diciembre', 'dic', 'decembre', 'dezember', 'dez', 'dicembre', 'dezembro'],
    ]) }}
{% endmacro %}

{% macro english_month_text(text_expression, full) -%}
    {#- SQL: a date's text with its month name in English (`full`: `january`, else `jan`), as
        strptime's %B / %b read it, lower case: `3 de enero de 2024 13:32 hs.` -> `3 january 2024
        13:32`, `3. März 2024` -> `3 march 2024`, `3 janv. 2024` -> `3 jan 2024`. The Spanish and
        Portuguese `de` / `del` between the parts, a German day's dot and a trailing `hs.` / `h` /
        `Uhr` go too. -#}
    {%- set text = namespace(sql="strip_accents(lower(" ~ text_expression ~ "))") -%}
    {#- (for %b, not the English full name: `April 1, 2024` stays a %B date, as it always read) -#}
    {%- for names in month_names() -%}
        {%- set text.sql = "regexp_replace(" ~ text.sql ~ ", " ~ quote_literal('\\b(' ~ (names if full else names[1:]) | join('|') ~ ')\\b\\.?') ~ ", "
            ~ quote_literal(names[0] if full else names[1]) ~ ", 'g')" -%}
    {%- endfor -%}
    {%- set text.sql = "regexp_replace(" ~ text.sql ~ ", '\\b(de|del)\\b', ' ', 'g')" -%}
    {%- set text.sql = "regexp_replace(" ~ text.sql ~ ", '^([0-9]{1,2})\\.', '\\1')" -%}
    {%- set text.sql = "regexp_replace(" ~ text.sql ~ ", '\\s*(hs?\\.?|uhr)$', '')" -%}
    trim(regexp_replace({{ text.sql }}, '\s+', ' ', 'g'))
{%- endmacro %}

{% macro date_with_format(text_expression, date_format) -%}
    {%- if ('%b' in date_format or '%B' in date_format) and '%a' not in date_format -%}
        {#- Month names of six more languages read as English ones (english_month_text), only where
            the text does not read as it is (a CASE: the regular expressions run on those cells only). -#}
        {%- set as_written = strptime_date(text_expression, date_format) -%}
        case when {{ as_written }} is not null then {{ as_written }}
            else {{ strptime_date(english_month_text(text_expression, '%B' in date_format), date_format) }} end
    {%- else -%}
        {{ strptime_date(text_expression, date_format) }}
    {%- endif -%}
{%- endmacro %}

{% macro strptime_date(text_expression, date_format) -%}
    {#- SQL: the text as a date in `date_format` (iso, excel, epoch or strptime codes with the times
        of date_time_suffixes after them), null when it does not read. -#}
    {%- if date_format == 'iso' -%}
        cast({{ try_cast_value(text_expression, 'timestamp') }} as date)
    {%- elif date_format == 'excel' -%}
        {#- Day 1 is 1900-01-01 and Excel counts a 29 February 1900 that never was, so serial
            numbers from March 1900 on are days since 1899-12-30. -#}
        case
            when regexp_full_match({{ text_expression }}, '[1-9][0-9]{4}([.][0-9]+)?')
                then date '1899-12-30' + cast(floor(cast({{ text_expression }} as double)) as integer)
        end
    {%- elif date_format == 'epoch' -%}
        {#- make_timestamp(microseconds) is a plain TIMESTAMP: the UTC day, whatever the session's
            time zone (to_timestamp would give a TIMESTAMPTZ, whose date depends on it). -#}
        case
            when regexp_full_match({{ text_expression }}, '[0-9]{9,10}')
                then cast(make_timestamp(cast({{ text_expression }} as bigint) * 1000000) as date)
            when regexp_full_match({{ text_expression }}, '[0-9]{12,13}')
                then cast(make_timestamp(cast({{ text_expression }} as bigint) * 1000) as date)
            {#- microseconds, as GA4's event_timestamp -#}
            when regexp_full_match({{ text_expression }}, '[0-9]{15,16}')
                then cast(make_timestamp(cast({{ text_expression }} as bigint)) as date)
        end
    {%- else -%}
        {%- set formats = [] -%}
        {%- for suffix in date_time_suffixes() -%}{%- do formats.append(quote_literal(date_format ~ suffix)) -%}{%- endfor %}
        {%- set parsed = 'cast(try_strptime(' ~ text_expression ~ ', [' ~ formats | join(', ') ~ ']) as date)' -%}
        {%- if '%Y' in date_format -%}
            {#- strptime's %Y also reads `3/1/24` as the year 24: a two-digit year is %y's. -#}
            case when {{ parsed }} >= date '0100-01-01' then {{ parsed }} end
        {%- else -%}
            {{ parsed }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro configured_date_formats() %}
    {%- set formats = setting('date_formats') or {} -%}
    {%- if formats is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "var date_formats must be a mapping {column: format}, e.g. --vars '{date_formats: {order_date: \"%d/%m/%Y\"}}'.") }}
    {%- endif -%}
    {%- for name in formats -%}
        {%- if name not in ['order_date', 'signup_date', 'birth_date'] -%}
            {{ exceptions.raise_compiler_error(
                "var date_formats has an unknown key '" ~ name ~ "'. Accepted keys: order_date, signup_date, birth_date. "
                ~ "Example: --vars '{date_formats: {order_date: \"%d/%m/%Y\"}}'.") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(formats) }}
{% endmacro %}

{% macro date_column_format(standard_name, input, source_column, problems=none) %}
    {#- How the column is read as dates: {'how': 'typed' (a DATE / TIMESTAMP column, used as it
        is), 'configured' (var date_formats) or 'detected', 'format': the format}. A column no
        format reads, or reads two ways, stops the build; given a `problems` list, the message is
        appended there instead and the format is none (check_input_file goes on). -#}
    {%- set data_type = input.types.get(source_column, 'VARCHAR') -%}
    {%- set configured = configured_date_formats() -%}
    {%- if data_type == 'DATE' or data_type.startswith('TIMESTAMP') -%}
        {{ return({'how': 'typed', 'format': data_type}) }}
    {%- elif standard_name in configured -%}
        {{ return({'how': 'configured', 'format': configured[standard_name]}) }}
    {%- endif -%}
    {{ return({'how': 'detected', 'format': detect_date_format(standard_name, input, source_column, problems)}) }}
{% endmacro %}

{% macro reads_iso_too(reading) -%}
    {#- A text column read in another format also reads ISO dates (yyyy-mm-dd, a time after it):
        no other format writes the year first, so an ISO value cannot be misread, and a file of
        two exports joined end to end (a year in `12/1/2010 8:26`, the next in `2011-12-01
        08:26:00`) loses no lines. -#}
    {{- return(reading.how != 'typed' and reading.format not in ['iso', none]) -}}
{%- endmacro %}

{% macro parse_date_column(alias, reading) -%}
    {#- SQL turning the input column (aliased `alias`) into a date, as `reading`
        (date_column_format) says. -#}
    {%- if reading.how == 'typed' and 'TIME ZONE' in reading.format -%}
        {#- An instant: its day in UTC. A plain cast takes the day in the session's time zone, the
            machine's, so the same file gave other recency on another machine. -#}
        cast(timezone('UTC', {{ alias }}) as date)
    {%- elif reading.how == 'typed' -%}
        {{ alias if reading.format == 'DATE' else 'cast(' ~ alias ~ ' as date)' }}
    {%- elif reads_iso_too(reading) -%}
        {#- A configured strptime format reads the same times after the date as a detected one. -#}
        coalesce({{ date_with_format(text_value(alias), reading.format) }}, {{ date_with_format(text_value(alias), 'iso') }})
    {%- else -%}
        {{ date_with_format(text_value(alias), reading.format) }}
    {%- endif -%}
{%- endmacro %}

{% macro date_detection_values(input, column_sql) -%}
    {#- The column's distinct values, or a fixed sample of 20,000 of them when there are more
        (timestamps: trying every candidate format on 1M distinct values took 6-10 s of compile
        time). Chosen by hash, so the same file gives the same sample; that many values hold days
        above 12, if the column has any, to settle day-first against month-first. -#}
    (select v from (select distinct {{ text_value(column_sql) }} as v from {{ input.relation }})
     order by hash(v), v limit 20000)
{%- endmacro %}

{% macro detect_date_format(standard_name, input, source_column, problems=none) %}
    {#- One compile-time query over the column's distinct values (date_detection_values) counts the
        values each candidate format reads; the format reading the most wins. A tie between formats
        that read some value differently (01/02/2011: January or February?) stops the build with
        sample values. -#}
    {%- if not execute -%}{{ return('iso') }}{%- endif -%}
    {%- set candidates = date_format_candidates() -%}
    {%- set column_sql = quote_identifier(source_column) -%}
    {%- set values_sql = date_detection_values(input, column_sql) -%}
    {%- set counts = [] -%}
    {%- for candidate in candidates -%}
        {%- if candidate == 'iso' -%}
            {#- DuckDB's cast also reads `17/01/24` (year 17) and `3/5/24` (year 3): counted for
                iso, such a column tied with %d/%m/%y and stopped as ambiguous, with a fix of
                %Y-%m-%d that rejected every line. ISO writes the four-digit year first. -#}
            {%- do counts.append("count(case when regexp_matches(v, '^[0-9]{4}[-/]') then " ~ date_with_format('v', candidate) ~ " end)") -%}
        {%- else -%}
            {%- do counts.append("count(" ~ date_with_format('v', candidate) ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set query -%}
        select count(v), {{ counts | join(', ') }} from {{ values_sql }} as distinct_values
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- set total = row[0] -%}
    {%- if total == 0 -%}{{ return('iso') }}{%- endif -%}
    {%- set best = [] -%}
    {%- set top = [0] -%}
    {%- for candidate in candidates -%}
        {%- set matched = row[loop.index] -%}
        {%- if matched > top[0] -%}
            {%- do top.pop() -%}{%- do top.append(matched) -%}
            {%- do best.clear() -%}{%- do best.append(candidate) -%}
        {%- elif matched == top[0] and matched > 0 -%}
            {%- do best.append(candidate) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set var_example = "--vars '{date_formats: {" ~ standard_name ~ ": \"FORMAT\"}}'" -%}
    {%- set codes = " (strftime codes, or epoch for Unix time, excel for spreadsheet day numbers)." -%}
    {%- set leave_out = " Or leave the column out: --vars '{customer_columns: {birth_date: null}}'." if standard_name == 'birth_date' else "" -%}
    {%- set fix = "Fix: set the format with " ~ var_example | replace('FORMAT', '%d/%m/%Y') ~ codes ~ leave_out -%}
    {%- if best | length == 0 -%}
        {%- set samples = run_query("select v from " ~ values_sql ~ " as distinct_values where v is not null order by v limit 5").columns[0].values() -%}
        {#- The fix names the format the values are written in where a known one reads them, not
            an example of another shape. -#}
        {%- set suggestion = suggested_date_format(values_sql) -%}
        {%- if suggestion -%}
            {%- set fix = "Fix: set the format with " ~ var_example | replace('FORMAT', suggestion.format) ~ ", which reads "
                ~ suggestion.read ~ " of its " ~ suggestion.total ~ " distinct values" ~ codes ~ leave_out -%}
        {%- else -%}
            {%- set fix = "Fix: set the format with " ~ var_example | replace('FORMAT', '<format>')
                ~ " in strftime codes (%d/%m/%Y reads 31/01/2024), or epoch for Unix time, excel for spreadsheet day numbers."
                ~ leave_out -%}
        {%- endif -%}
        {{ return(date_problem_raised("No known date format reads " ~ standard_name ~ " (column " ~ source_column
            ~ "); values such as " ~ samples | join(', ') ~ ". " ~ fix, problems)) }}
    {%- endif -%}
    {%- if best | length > 1 -%}
        {%- set disagreements = [] -%}
        {%- for other in best[1:] -%}
            {%- do disagreements.append(date_with_format('v', best[0]) ~ " is distinct from " ~ date_with_format('v', other)) -%}
        {%- endfor -%}
        {%- set samples = run_query("select v from " ~ values_sql ~ " as distinct_values where "
            ~ disagreements | join(' or ') ~ " order by v limit 5").columns[0].values() -%}
        {%- if samples | length > 0 -%}
            {{ return(date_problem_raised(
                "The date format of " ~ standard_name ~ " (column " ~ source_column ~ ") is ambiguous: "
                ~ samples | join(', ') ~ " read as " ~ best | join(' or ') ~ " and no value settles it "
                ~ "(a day above 12 would). " ~ fix | replace('%d/%m/%Y', best[0] if best[0] != 'iso' else '%Y-%m-%d'), problems)) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(best[0]) }}
{% endmacro %}

{% macro date_problem_raised(message, problems) %}
    {#- detect_date_format's way out: stop the build, or note the problem and read no format. -#}
    {%- if problems is none -%}{{ exceptions.raise_compiler_error(message) }}{%- endif -%}
    {%- do problems.append(message) -%}
    {{ return(none) }}
{% endmacro %}

{% macro latest_plausible_date() -%}
    {#- Dates after as_of_date (or after today when it is unset) cannot be real. -#}
    {%- if setting('as_of_date') is not none -%}
        cast({{ quote_literal(setting('as_of_date')) }} as date)
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}

{% macro earliest_plausible_date() -%}
    cast({{ quote_literal(setting('earliest_date')) }} as date)
{%- endmacro %}

{% macro unreadable_date(raw_expression, parsed, data_type='VARCHAR') -%}
    {#- SQL: a text cell that holds something (no missing-value word) and reads as no date. -#}
    {%- if (data_type | string | upper) == 'DATE' or (data_type | string | upper).startswith('TIMESTAMP') -%}
        false
    {%- else -%}
        ({{ text_value(raw_expression) }} is not null and {{ parsed }} is null
            and not {{ is_missing_cell(text_value(raw_expression)) }})
    {%- endif -%}
{%- endmacro %}

{% macro age_reference_date() -%}
    {#- The day ages are counted to from a birth date: var as_of_date, else today. -#}
    {%- set as_of = setting('as_of_date') -%}
    {{ "cast(" ~ quote_literal(as_of) ~ " as date)" if as_of is not none else 'current_date' }}
{%- endmacro %}

{% macro age_at_reference(birth_date) -%}
    {#- Whole years from `birth_date` to age_reference_date() (a birthday not yet reached that year
        does not count). -#}
    date_part('year', age(cast({{ age_reference_date() }} as timestamp), cast({{ birth_date }} as timestamp)))
{%- endmacro %}

{% macro is_placeholder_birth_date(birth_date) -%}
    {#- SQL: a parsed birth date that stands for "unknown" (a CRM's or database's default day):
        before 1901 (1900-01-01, Excel's 1899-12-30, SQL Server's 1753-01-01, .NET's 0001-01-01:
        no one alive was born then) or in the year 9999 or later ("end of time"). Such a row's age
        is missing, not out of bounds: the customer is kept, the age imputed, and the
        birth_date_placeholder health test WARNs. -#}
    ({{ birth_date }} < date '1901-01-01' or {{ birth_date }} >= date '9999-01-01')
{%- endmacro %}

{% macro birthday_formats() %}
    {#- How a birthday is written without its year (a loyalty app or mailing list asks day and
        month only): `15.03.`, `15.03`, `15/03`, `03/15`, `15-03`, ISO 8601's `--03-15` (also
        vCard's), `15 March`, `March 15`, `15. März` is not (English month names, as the date
        formats). Read with a leap year before them, so `29.02.` is a day. -#}
    {{ return(['%d.%m.', '%d.%m', '%d/%m', '%m/%d', '%d-%m', '%m-%d', '--%m-%d', '--%m%d', '%d %B', '%d %b',
               '%B %d', '%b %d', '%d. %B', '%d. %b', '%d-%b', '%b-%d']) }}
{% endmacro %}

{% macro is_birthday_without_year(text_expression) -%}
    {#- SQL: a birth date cell (text, trimmed) that is a day and month without a year
        (birthday_formats; `31.02.` is none). It gives no age: the age is missing (imputed), the
        customer kept, and the birth_date_without_year health test WARNs, where such a cell
        rejected the customer and their orders as "birth_date is not a date". Tested only on
        cells that read as no date. -#}
    {%- set formats = [] -%}
    {%- for birthday in birthday_formats() -%}{%- do formats.append(quote_literal('%Y ' ~ birthday)) -%}{%- endfor -%}
    (try_strptime('2000 ' || {{ text_expression }}, [{{ formats | join(', ') }}]) is not null)
{%- endmacro %}

{% macro log_birthdays_without_year() %}
    {#- base_customers' post-hook: how many kept customers have a birth date without a year
        (is_birthday_without_year), with up to three of them, so the user sees that their age is
        missing. -#}
    {%- if not execute or flags.WHICH not in ['build', 'run', 'retry'] or not has_input('customers') -%}{{ return('') }}{%- endif -%}
    {%- set row = run_query("select count(birth_date_without_year), (select to_json(list(v)) from (select distinct birth_date_without_year as v from "
        ~ this ~ " where birth_date_without_year is not null order by v limit 3)) from " ~ this).rows[0] -%}
    {%- if row[0] > 0 -%}
        {%- do log(this.identifier ~ ": " ~ _thousands(row[0]) ~ (" birth dates have" if row[0] != 1 else " birth date has")
            ~ " no year (" ~ fromjson(row[1]) | map('tojson') | join(', ') ~ "): no age, read as missing (imputed), the customers kept"
            ~ " with their orders (health test birth_date_without_year)", info=true) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{% macro latest_two_digit_birth_date() -%}
    {#- SQL: the latest birth a two-digit year may give in the 2000s: var
        two_digit_birth_year_min_age years before the reference date (today, or as_of_date). -#}
    cast({{ age_reference_date() }} - interval {{ setting('two_digit_birth_year_min_age') | int }} year as date)
{%- endmacro %}

{% macro two_digit_birth_date(text_expression, date_format) -%}
    {#- SQL: a birth date in a two-digit-year format, of the 1900s where the 2000s (%y reads 00-68
        as 20xx, right for orders) would make the customer younger than
        two_digit_birth_year_min_age or not yet born: `07/04/19` is 1919, not a child of 5. -#}
    {%- set parsed = date_with_format(text_expression, date_format) -%}
    cast({{ parsed }} - to_years(case when {{ parsed }} > {{ latest_two_digit_birth_date() }} then 100 else 0 end) as date)
{%- endmacro %}

{% macro has_two_digit_year(reading) -%}
    {{- return(reading.how != 'typed' and '%y' in (reading.format or '')) -}}
{%- endmacro %}

{% macro parse_birth_date(alias, reading) -%}
    {#- parse_date_column, except that a two-digit year is read by two_digit_birth_date. Only the
        two-digit reading moves: an ISO value beside it (`2012-05-05`) says its century. -#}
    {%- if has_two_digit_year(reading) -%}
        coalesce({{ two_digit_birth_date(text_value(alias), reading.format) }}, {{ date_with_format(text_value(alias), 'iso') }})
    {%- else -%}
        {{ parse_date_column(alias, reading) }}
    {%- endif -%}
{%- endmacro %}

{% macro log_two_digit_birth_years(input, source_column, reading) %}
    {#- The console line of base_customers when two_digit_birth_date moved any birth date to the
        1900s: how many, the rule, and one example (compile time, only for a two-digit-year format). -#}
    {%- if not execute or flags.WHICH not in ['build', 'run', 'retry'] or not has_two_digit_year(reading) -%}{{ return('') }}{%- endif -%}
    {%- set text = text_value(quote_identifier(source_column)) -%}
    {%- set query -%}
        select count(*), min(v), arg_min(strftime(moved, '%Y-%m-%d'), v)
        from (
            select {{ text }} as v, {{ date_with_format(text, reading.format) }} as read,
                   {{ two_digit_birth_date(text, reading.format) }} as moved
            from {{ input.relation }}
        )
        where read is distinct from moved
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- if row[0] > 0 -%}
        {%- set min_age = setting('two_digit_birth_year_min_age') | int -%}
        {%- set after = "born after " ~ ("as_of_date" if setting('as_of_date') is not none else "today") -%}
        {%- set why = ("which would make the customer younger than " ~ min_age ~ " (var two_digit_birth_year_min_age) or " ~ after)
            if min_age > 0 else ("which would make the customer " ~ after) -%}
        {%- do log(this.identifier ~ ": birth_date (column " ~ source_column ~ ") " ~ reading.format ~ ": " ~ row[0]
            ~ (" two-digit years" if row[0] != 1 else " two-digit year") ~ " read as 19xx, not 20xx, " ~ why
            ~ ", e.g. " ~ row[1] ~ " -> " ~ row[2], info=true) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{% macro date_problem(name, raw_expression, parsed, data_type='VARCHAR') -%}
    case
        {%- if not ((data_type | string | upper) == 'DATE' or (data_type | string | upper).startswith('TIMESTAMP')) %}
        when {{ unreadable_date(raw_expression, parsed, data_type) }}
            then {{ quote_literal(name ~ ' is not a date') }}
        {%- endif %}
        when {{ parsed }} > {{ latest_plausible_date() }}
            then {{ quote_literal(name ~ (' after as_of_date' if setting('as_of_date') is not none else ' in the future')) }}
        when {{ parsed }} < {{ earliest_plausible_date() }}
            then {{ quote_literal(name ~ ' before earliest_date') }}
    end
{%- endmacro %}

{#- ---------------------------------------------------------------- extra numeric columns -#}

{% macro numeric_extra_columns(input, mapping, decimal='.') %}
    {#- The unmapped input columns that hold numbers: typed numeric columns, and text columns where
        at least 99% of the values (not empty, not a missing-value word) are numbers (NaN, Infinity and 1e309 count as numbers:
        they are spelled as numbers, and their rows are rejected as not finite). The remaining
        cells of such a column reject their rows ("<name> is not a number"). -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set extras = [] -%}
    {%- set text_extras = [] -%}
    {%- for column in input.columns -%}
        {%- if column not in mapping.values() and not is_identifier_column(normalize_column_name(column)) -%}
            {%- if is_numeric_type(input.types[column]) -%}
                {%- do extras.append(column) -%}
            {%- elif input.types[column] == 'VARCHAR' -%}
                {%- do text_extras.append(column) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if text_extras | length > 0 -%}
        {%- set checks = [] -%}
        {%- for column in text_extras -%}
            {%- set text = text_value(quote_identifier(column)) -%}
            {%- set number = number_value(quote_identifier(column), 'VARCHAR', decimal) -%}
            {%- set values = "(count(" ~ text ~ ") - count(case when " ~ number ~ " is null and " ~ is_missing_cell(text) ~ " then 1 end))" -%}
            {%- do checks.append(values ~ " > 0 and count(" ~ number ~ ") >= 0.99 * " ~ values) -%}
        {%- endfor -%}
        {%- set row = run_query("select " ~ checks | join(', ') ~ " from " ~ input.relation).rows[0] -%}
        {%- for column in text_extras -%}
            {%- if row[loop.index0] -%}{%- do extras.append(column) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {#- keep file order -#}
    {%- set ordered = [] -%}
    {%- for column in input.columns -%}{%- if column in extras -%}{%- do ordered.append(column) -%}{%- endif -%}{%- endfor -%}
    {{ return(ordered) }}
{% endmacro %}

{% macro identifier_extra_columns(input, mapping) %}
    {#- The unmapped input columns named as identifiers or codes (is_identifier_column: `Household
        ID`, `Member No`, `PLZ`, `Zip`, `Phone`): carried into stg_customers as text, as they
        arrived (a postal code keeps its leading zero, a ZIP+4 or a member number with a letter is
        no error), never parsed as numbers, so a value in them never rejects a customer. -#}
    {%- set columns = [] -%}
    {%- for column in input.columns -%}
        {%- if column not in mapping.values() and is_identifier_column(normalize_column_name(column)) -%}
            {%- do columns.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{% macro behaviour_feature_names() %}
    {#- The columns int_customer_features computes from the order lines (and is_female). A customers
        input's own `Frequency` or `Monetary` (a CRM's stale copy, a precomputed RFM file) took
        these names, and the computed ones became frequency_1, monetary_1: the clustering, the RFM
        names and the profiles read the file's values, green. -#}
    {{ return(['is_female', 'recency_days', 'frequency', 'monetary', 'avg_order_value', 'tenure_days',
               'return_count', 'return_amount', 'return_rate', 'online_share', 'derived_out_of_range']) }}
{% endmacro %}

{% macro extra_column_names(columns) %}
    {#- {source column: normalised name}. Names taken by a stg_customers column, by a computed
        behaviour feature (behaviour_feature_names, and share_<category>), or by an earlier extra,
        get a suffix (_2, _3, ...). -#}
    {%- set taken = ['source_row_number', 'customer_id', 'gender', 'age', 'annual_income_k', 'income',
                     'spending_score', 'signup_date', 'email', 'marketing_opt_in', 'sms_opt_in'] + behaviour_feature_names() -%}
    {%- set names = {} -%}
    {%- for column in columns -%}
        {%- set base = normalize_column_name(column) or 'column' -%}
        {%- set name = [base] -%}
        {%- for suffix in range(2, 100) -%}
            {%- if name[0] in taken or (suffix == 2 and name[0].startswith('share_')) -%}{%- do name.pop() -%}{%- do name.append(base ~ '_' ~ suffix) -%}{%- endif -%}
        {%- endfor -%}
        {%- do taken.append(name[0]) -%}
        {%- do names.update({column: name[0]}) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{% macro extra_columns_in_use(extra_names) %}
    {#- The extra numeric columns (normalised names of `extra_names`) the clustering reads: named
        in var segmentation_features or feature_transforms, or a word of a derived_features
        expression. A cell of such a column that is not a finite number rejects its row (a
        feature must be read, not guessed); in any other extra column it is read as missing,
        the customer is kept and the extra_value_not_a_number WARN names the value. -#}
    {%- set used = [] -%}
    {%- set requested = setting('segmentation_features') -%}
    {%- set transforms = setting('feature_transforms') -%}
    {%- set derived = setting('derived_features') or {} -%}
    {%- for name in extra_names.values() -%}
        {%- set pattern = '(?i)(^|[^a-z0-9_])' ~ modules.re.escape(name) ~ '($|[^a-z0-9_])' -%}
        {%- set in_expression = namespace(found=false) -%}
        {%- for expression in derived.values() -%}
            {%- if modules.re.search(pattern, expression | string) -%}{%- set in_expression.found = true -%}{%- endif -%}
        {%- endfor -%}
        {%- if (requested is not string and name in requested)
              or (transforms is mapping and name in transforms) or in_expression.found -%}
            {%- do used.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(used) }}
{% endmacro %}

{% macro extra_column_prefix() %}
    {#- base_customers names each extra numeric column extra__<name>; stg_customers strips it. -#}
    {{ return('extra__') }}
{% endmacro %}

{#- ---------------------------------------------------------------- order lines and returns -#}

{% macro cancellation_source_column(mapping, input) %}
    {#- var cancellation_column: a standard name (status) or an input header; when unset, the
        input's status column (mapped from a `status` / `order_status` header), else none. -#}
    {%- set name = setting('cancellation_column') -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- if name is none -%}{{ return(mapping.get('status')) }}{%- endif -%}
    {%- if name in mapping -%}{{ return(mapping[name]) }}{%- endif -%}
    {%- if name in input.columns -%}{{ return(name) }}{%- endif -%}
    {{ exceptions.raise_compiler_error(
        "var cancellation_column = " ~ quote_literal(name) ~ " is not a column of the orders input. Columns found: "
        ~ input.columns | join(', ') ~ ". Fix: --vars '{cancellation_column: \"<column>\", cancellation_values: [\"Cancelled\"]}'.") }}
{% endmacro %}

{% macro closed_means_refunded(relation, column) %}
    {#- Magento (Adobe Commerce) writes `closed` for an order a credit memo refunded and `complete`
        for one delivered and paid; elsewhere `closed` is often just finished, so it is no default
        cancellation word. A status column holding both `complete` and `closed` (first 100,000
        rows) is read the Magento way: `closed` is a cancellation too, unless var
        cancellation_values was changed from its default (the user's list is the user's word).
        Before, a Magento export's refunded orders counted as purchases, green. -#}
    {%- if not execute or column is none -%}{{ return(false) }}{%- endif -%}
    {%- if lowered_words(setting('cancellation_values')) != lowered_words(var_schema().settings['cancellation_values'].default) -%}{{ return(false) }}{%- endif -%}
    {%- set value = "lower(" ~ text_value(quote_identifier(column)) ~ ")" -%}
    {%- set row = run_query("select count(*) filter (where " ~ value ~ " = 'complete') > 0 and count(*) filter (where "
        ~ value ~ " = 'closed') > 0 from " ~ first_rows(relation)).rows[0] -%}
    {{ return(row[0] == true) }}
{% endmacro %}

{% macro status_values(relation, column, extra_cancellations=[]) %}
    {#- For the console: the status column's most frequent values in the first 100,000 rows, each
        with its count and whether it marks a cancellation, so a user sees what is counted as a
        purchase. [] without a status column. `extra_cancellations`: words read as cancellations
        beyond var cancellation_values (closed_means_refunded). -#}
    {%- if not execute or column is none -%}{{ return([]) }}{%- endif -%}
    {%- set value = text_value(quote_identifier(column)) -%}
    {%- set cancelling = lowered_words((setting('cancellation_values') or []) + extra_cancellations) -%}
    {%- set rows = run_query("select " ~ value ~ " as status, count(*) as lines from " ~ first_rows(relation)
        ~ " where " ~ value ~ " is not null group by 1 order by 2 desc, 1 limit 1000").rows -%}
    {%- set found = [] -%}
    {%- set no_purchase = lowered_words(setting('non_purchase_values')) -%}
    {%- for row in rows -%}
        {%- set cancels = (row[0] | lower) in cancelling -%}
        {%- set rejected = not cancels and (row[0] | lower) in no_purchase -%}
        {%- set reads_like = not cancels and not rejected and modules.re.search(cancellation_stems(), row[0] | lower) is not none -%}
        {#- The six most frequent, and any other that reads like a cancellation. -#}
        {%- if loop.index <= 6 or reads_like -%}
            {%- do found.append({'value': row[0], 'lines': row[1], 'cancels': cancels, 'no_purchase': rejected, 'reads_like_cancellation': reads_like}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}

{% macro cancellation_stems() %}
    {#- A regular expression for status words that read like a cancellation, a refund or a return
        in the languages of cancellation_values (`Partially Refunded`, `Stornierung`, `RMA returned`,
        `Częściowo zwrócone`, `Частичный возврат`):
        a status that matches it but is not among var cancellation_values counts as a purchase,
        and base_orders warns so the user decides. -#}
    {{ return('cancel|refund|return|storn|annul|anul|erstatt|retour|rembours|reembols|rimbors|devol|devuel|void|credit|gutschrift|chargeback'
              ~ '|zwrot|zwróc|zruš|vrác|отмен|возвр|makuler|återbetal|kansell|refunder|peru|palautet|hyvit|iptal|iade|estorn') }}
{% endmacro %}

{% macro amount_is_order_total(relation, mapping) %}
    {#- Whether the amount column repeats its order's total on every line of the order, as a
        line-grain export with an `Order Total` column does: summed over the lines, each order
        would count once per line. In the first 100,000 rows, at least 5 orders have two or more
        lines, 90% or more of them have the same amount on every line, and those amounts are not
        all one number (a flat-price shop). And, where at least 5 orders have one line, the
        repeated amounts are larger: their median at least 1.5 times that of one-line orders (a
        total grows with the lines; a unit's price does not). A file with one line per unit, as
        Olist's order items are, repeats the price on the lines of an order of several units of
        one product: read as totals, its spend was cut by the units, green. Not when var
        order_columns names the amount (the user's word), nor without an order id. Returns none,
        or {column, orders, repeating}. -#}
    {%- if not execute or 'amount' not in mapping or 'order_id' not in mapping -%}{{ return(none) }}{%- endif -%}
    {%- if 'amount' in (setting('order_columns') or {}) -%}{{ return(none) }}{%- endif -%}
    {%- set order = text_value(quote_identifier(mapping['order_id'])) -%}
    {%- set amount = text_value(quote_identifier(mapping['amount'])) -%}
    {#- A rough number for the comparison of sizes only (`$1,234.50` -> 1234.5). -#}
    {%- set size = "try_cast(replace(regexp_replace(first_amount, '[^0-9.,]', '', 'g'), ',', '') as double)" -%}
    {%- set repeating = "lines >= 2 and amounts = 1 and filled = lines" -%}
    {%- set row = run_query(
        "select count(*) filter (where lines >= 2), count(*) filter (where " ~ repeating ~ "),"
        ~ " count(distinct first_amount) filter (where lines >= 2),"
        ~ " coalesce(median(" ~ size ~ ") filter (where " ~ repeating ~ ") >= 1.5 * median(" ~ size ~ ") filter (where lines = 1), false),"
        ~ " count(" ~ size ~ ") filter (where lines = 1) from ("
        ~ "select " ~ order ~ " as order_id, count(distinct " ~ amount ~ ") as amounts, count(" ~ amount ~ ") as filled, "
        ~ "count(*) as lines, min(" ~ amount ~ ") as first_amount from " ~ first_rows(relation)
        ~ " where " ~ order ~ " is not null group by 1) as orders").rows[0] -%}
    {%- set grows = row[4] < 5 or row[3] -%}
    {%- if row[0] >= 5 and row[1] >= 0.9 * row[0] and row[2] >= 2 and grows -%}
        {{ return({'column': mapping['amount'], 'orders': row[0], 'repeating': row[1]}) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}

{% macro order_customer_fill(relation, mapping, float_ids, guest_ids, types, decimal) %}
    {#- A customer id written on an order's first line only, as some POS and receipt exports write
        it: the order's other lines were rejected as "missing customer_id".
        In the first 100,000 rows (with an order id and a customer id column): the lines without a
        customer id (blank, a missing-value word, a placeholder) whose order's other lines name one
        customer; those of orders whose lines name two customers (left rejected); and, as a guard,
        the orders among the first where one line's amount is the sum of the other, smaller lines
        (at least two): a line that is the order's total (a report's `Total` line, a POS export's
        sale header line above its item lines). Filled, such a line would count the order twice,
        so when at least 2 of those orders, and half of them, look so, nothing is filled.
        Returns none when no line would take its order's customer, else {column, lines, orders,
        conflict_lines, conflict_orders, candidates, total_like, fill}. -#}
    {%- if not execute or 'order_id' not in mapping or 'customer_id' not in mapping -%}{{ return(none) }}{%- endif -%}
    {%- set customer_column = mapping['customer_id'] -%}
    {%- set order = text_value(quote_identifier(mapping['order_id'])) -%}
    {%- set customer = id_value(quote_identifier(customer_column), float_ids, guest_ids) -%}
    {%- if 'amount' in mapping -%}
        {%- set value = number_value(quote_identifier(mapping['amount']), types.get(mapping['amount'], 'VARCHAR'), decimal) -%}
    {%- else -%}
        {%- set value = 'cast(null as double)' -%}
    {%- endif -%}
    {%- set row = run_query(
        "with lines as (select " ~ order ~ " as order_id, " ~ customer ~ " as customer_id, " ~ value ~ " as v"
        ~ " from " ~ first_rows(relation) ~ " where " ~ order ~ " is not null),"
        ~ " sized as (select *, max(v) over (partition by order_id) as largest from lines),"
        ~ " orders as (select order_id, count(*) filter (where customer_id is null) as blanks,"
        ~ " count(distinct customer_id) as customers, max(largest) as largest,"
        ~ " sum(v) filter (where v < largest) as smaller_sum, count(*) filter (where v < largest) as smaller"
        ~ " from sized group by order_id),"
        ~ " filled as (select * from orders where blanks > 0 and customers = 1)"
        ~ " select (select coalesce(sum(blanks), 0) from filled), (select count(*) from filled),"
        ~ " (select coalesce(sum(blanks), 0) from orders where blanks > 0 and customers > 1),"
        ~ " (select count(*) from orders where blanks > 0 and customers > 1),"
        ~ " (select count(*) from filled where smaller >= 2 and largest > 0),"
        ~ " (select count(*) from filled where smaller >= 2 and largest > 0 and abs(largest - smaller_sum) <= 0.011)").rows[0] -%}
    {%- if row[0] == 0 -%}{{ return(none) }}{%- endif -%}
    {%- set total_like = row[5] >= 2 and row[5] >= 0.5 * row[4] -%}
    {{ return({'column': customer_column, 'lines': row[0], 'orders': row[1], 'conflict_lines': row[2],
               'conflict_orders': row[3], 'candidates': row[4], 'total_like': row[5], 'fill': not total_like}) }}
{% endmacro %}

{% macro order_total_lines(relation, mapping, types, decimal) %}
    {#- Whether the orders' lines hold a line that is the order's total beside its item lines, as
        Lightspeed Retail (Vend) writes a `Sale` line above its `Sale Line`s, and a report or a
        POS export a header or `Total` line: summed, each such order counted twice, green. In the
        first 100,000 rows (with an order id and an amount column): of the orders with three or
        more lines with an amount, at least 5, and 90% or more, have a line whose amount (not 0)
        is the sum of the order's other lines. A few such orders by chance (10, 5, 5) are far
        from 90%. Not when the amount repeats its order's total on every line (order_total).
        Returns none, or {column, orders, with_total}. -#}
    {%- if not execute or 'order_id' not in mapping or 'amount' not in mapping -%}{{ return(none) }}{%- endif -%}
    {%- set order = text_value(quote_identifier(mapping['order_id'])) -%}
    {%- set value = number_value(quote_identifier(mapping['amount']), types.get(mapping['amount'], 'VARCHAR'), decimal) -%}
    {%- set row = run_query(
        "with lines as (select " ~ order ~ " as order_id, " ~ value ~ " as v from " ~ first_rows(relation)
        ~ " where " ~ order ~ " is not null),"
        ~ " summed as (select order_id, v, sum(v) over (partition by order_id) as s,"
        ~ " count(v) over (partition by order_id) as n from lines)"
        ~ " select count(distinct order_id) filter (where n >= 3),"
        ~ " count(distinct order_id) filter (where n >= 3 and v <> 0 and abs(2 * v - s) <= 0.011)"
        ~ " from summed").rows[0] -%}
    {%- if row[0] >= 5 and row[1] >= 0.9 * row[0] -%}
        {{ return({'column': mapping['amount'], 'orders': row[0], 'with_total': row[1]}) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}

{% macro order_currency(relation, mapping) %}
    {#- The currency an orders input's amounts are kept in. From its currency column (mapped from
        `Currency`, `currency_code`, ...), else from the signs and codes its amounts carry, when
        they name two or more in the first 100,000 lines (`$12.50`, `9.00 €`, `¥1,200` in one
        column: the signs were stripped and yen summed with dollars, green; the amount column is
        read, else the unit price). Kept: var currency, else the one most of those lines give (a
        tie goes to the first in alphabetical order). Lines in any other currency are rejected by
        base_orders. Returns none (no column; no line naming a currency; amounts naming one or
        none while var currency is unset), else {column, kept, by_var, from_amount,
        found: [{value, lines}] (the six most frequent)}. -#}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set from_amount = mapping.get('currency') is none -%}
    {%- set column = (mapping.get('amount') or mapping.get('unit_price')) if from_amount else mapping['currency'] -%}
    {%- if column is none -%}{{ return(none) }}{%- endif -%}
    {%- set value = line_currency_sql(quote_identifier(column), from_amount) -%}
    {%- set rows = run_query("select " ~ value ~ " as currency, count(*) as lines from " ~ first_rows(relation)
        ~ " where " ~ value ~ " is not null group by 1 order by 2 desc, 1 limit 6").rows -%}
    {%- set found = [] -%}
    {%- for row in rows -%}{%- do found.append({'value': row[0], 'lines': row[1]}) -%}{%- endfor -%}
    {%- set chosen = setting('currency') -%}
    {%- set base = {'column': column, 'from_amount': from_amount, 'found': found} -%}
    {%- if chosen is not none and (found or not from_amount) -%}
        {%- do base.update({'kept': chosen | string | trim | upper, 'by_var': true}) -%}
        {{ return(base) }}
    {%- endif -%}
    {%- if found | length < (2 if from_amount else 1) -%}{{ return(none) }}{%- endif -%}
    {%- do base.update({'kept': found[0].value, 'by_var': false}) -%}
    {{ return(base) }}
{% endmacro %}

{% macro line_currency_sql(expression, from_amount) -%}
    {#- SQL: the currency a line names, in upper case: its currency column's value, or the one its
        amount's sign or code names (amount_currency_sql). -#}
    {%- if from_amount -%}{{ amount_currency_sql(text_value(expression)) }}{%- else -%}upper({{ text_value(expression) }}){%- endif -%}
{%- endmacro %}

{% macro amount_currency_sql(text) -%}
    {#- SQL: the currency an amount's text names by its sign or code (`$12.50` USD, `1.234,50 €`
        EUR, `£8` GBP, `¥1,200` JPY, `₹` INR, `CHF 12`, `12,50 zł` PLN, `kr` KR: a Scandinavian krona
        or krone, whichever), null for a plain number. `$` is taken as
        USD: a shop in another dollar writes the same sign on every line, and one sign is one
        currency whatever it is called. -#}
    {%- set codes = currency_codes() | join('|') -%}
    case
        when contains({{ text }}, '€') then 'EUR'
        when contains({{ text }}, '£') then 'GBP'
        when contains({{ text }}, '¥') then 'JPY'
        when contains({{ text }}, '₹') then 'INR'
        when regexp_matches({{ text }}, '(^|[0-9 ])kr\.?$|^kr\.? ') then 'KR'
        when contains({{ text }}, 'zł') then 'PLN'
        when contains({{ text }}, 'Kč') then 'CZK'
        when regexp_matches({{ text }}, '[0-9 ]Ft$|^Ft ') then 'HUF'
        when contains({{ text }}, '₪') then 'ILS'
        when contains({{ text }}, '₺') then 'TRY'
        when contains({{ text }}, '₽') or contains({{ text }}, 'руб') then 'RUB'
        when contains({{ text }}, '₴') then 'UAH'
        when contains({{ text }}, 'R$') then 'BRL'
        when contains({{ text }}, '₩') then 'KRW'
        when contains({{ text }}, '฿') then 'THB'
        when regexp_matches({{ text }}, '(^|[^A-Z])({{ codes }})([^A-Z]|$)')
            then regexp_extract({{ text }}, '(^|[^A-Z])({{ codes }})([^A-Z]|$)', 2)
        when contains({{ text }}, '$') then 'USD'
    end
{%- endmacro %}


{% macro currency_reason(line_currency, kept) -%}
    {#- SQL for the rejection reason of a line in another currency than the one kept. -#}
    'amount in ' || {{ line_currency }} || ', not ' || {{ quote_literal(kept) }} || ', the currency kept (var currency): amounts in two currencies cannot be summed'
{%- endmacro %}

{% macro is_non_purchase(status_expression) -%}
    {#- SQL: the status (trimmed, any case) is among var non_purchase_values: a failed payment, a
        voided authorisation, a draft or quote, an unpaid invoice. Such a line is no purchase and
        no return: rejected with its reason. Before, `Failed` and `Void` counted as returns
        (return_rate 2.0 for a customer who paid once) and drafts and unpaid invoices as purchases. -#}
    {%- set values = setting('non_purchase_values') or [] -%}
    {%- if values | length == 0 -%}false{%- else -%}coalesce({{ status_is_one_of(status_expression, values) }}, false){%- endif -%}
{%- endmacro %}

{% macro lowered_words(words) %}
    {#- The words of a status var, as text in lower case (statuses are compared trimmed, any case). -#}
    {%- set lowered = [] -%}
    {%- for word in words or [] -%}{%- do lowered.append(word | string | lower) -%}{%- endfor -%}
    {{ return(lowered) }}
{% endmacro %}

{% macro status_is_one_of(status_expression, words) -%}
    {#- SQL: the status (trimmed, any case) is one of `words` (a status var's list). -#}
    lower({{ text_value(status_expression) }}) in ({{ quote_literals(lowered_words(words)) }})
{%- endmacro %}

{% macro document_type_value(document_type, aliases, fill) -%}
    {#- SQL (a select-list item and its comma, or nothing): the line's document type
        (document_type_reading), a blank taking its order's when `fill`. -#}
    {%- if document_type is not none %}
    {%- set value = text_value(aliases.get(document_type.column)) %}
        {% if fill %}coalesce({{ value }}, max({{ value }}) over (partition by order_id)){% else %}{{ value }}{% endif %} as line_document_type,
    {%- endif -%}
{%- endmacro %}

{% macro refunded_flag_is_set(field, mapping) -%}
    {#- SQL (` or ...`, or nothing): the line's refunded flag column (key refunded_flag: Gumroad's
        `Fully Refunded?`) says yes (true, 1, yes, ...: parse_boolean). -#}
    {%- if 'refunded_flag' in mapping -%}
        {{ ' ' }}or coalesce({{ parse_boolean(field.refunded_flag) }}, false)
    {%- endif -%}
{%- endmacro %}

{% macro document_is_credit(document_type) -%}
    {#- SQL (` or ...`, or nothing): the line's document type (line_document_type) is a credit
        note, credit memo, return or cancelled invoice (document_type_words), any case. -#}
    {%- if document_type is not none -%}
        {{ ' ' }}or coalesce({{ status_is_one_of('line_document_type', document_type.credit_words) }}, false)
    {%- endif -%}
{%- endmacro %}

{% macro is_cancellation(order_id_expression, status_expression, extra_values=[]) -%}
    {#- A line the user marks as a cancellation: an order id with var cancellation_prefix, or a
        status (var cancellation_column) among var cancellation_values (compared trimmed, any case)
        or `extra_values` (closed_means_refunded). -#}
    {%- set conditions = [] -%}
    {%- set prefix = setting('cancellation_prefix') -%}
    {%- if prefix is not none and (prefix | string) != '' -%}
        {%- do conditions.append("starts_with(" ~ order_id_expression ~ ", " ~ quote_literal(prefix) ~ ")") -%}
    {%- endif -%}
    {%- set values = (setting('cancellation_values') or []) + extra_values -%}
    {%- if status_expression is not none and values | length > 0 -%}
        {%- do conditions.append(status_is_one_of(status_expression, values)) -%}
    {%- endif -%}
    {%- if conditions | length == 0 -%}false{%- else -%}coalesce({{ conditions | join(' or ') }}, false){%- endif -%}
{%- endmacro %}

{#- ---------------------------------------------------------------- ids -#}

{% macro missing_id_words() %}
    {#- An id cell that means "no id": the missing-value words, and `nan`, which pandas writes for a
        blank in a text column (and a Parquet DOUBLE id column holds as NaN): read as an id, every
        guest line became one customer `nan`, the top spender. (In a number cell NaN is a number
        that is not finite, rejected as such.) -#}
    {{ return(['nan']) }}
{% endmacro %}

{% macro ids_written_as_floats(relation, column, data_type) %}
    {#- True when every id in the first 100,000 rows is a whole number, at least one of them written
        as a float (17850.0), as pandas writes an integer column that has a blank in it (and two
        exports joined end to end mix `17850` and `17850.0`): read as 17850, or the ids would not
        match the same customers' ids in another file or in a CRM, and one customer would be two.
        Missing-value words, placeholder accounts (`GUEST`, placeholder_customer_ids) and a
        repeated header line (exports joined end to end) are not ids: they count neither way (one
        `GUEST` line turned the rule off, and every line failed to match its customer). -#}
    {%- if not execute or column is none or is_numeric_type(data_type) and not (data_type | string | upper) in ['DOUBLE', 'FLOAT', 'REAL'] -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set value = text_value(quote_identifier(column)) -%}
    {%- set id = "case when not " ~ is_missing_word(value, missing_id_words() + placeholder_customer_ids()) ~ " and trim(replace(" ~ value ~ ", chr(65279), '')) <> "
        ~ quote_literal(column | trim) ~ " then " ~ value ~ " end" -%}
    {%- set row = run_query("select count(id), count(*) filter (where regexp_full_match(id, '[0-9]+([.]0+)?')),"
        ~ " count(*) filter (where regexp_full_match(id, '[0-9]+[.]0+'))"
        ~ " from (select " ~ id ~ " as id from " ~ first_rows(relation) ~ ")").rows[0] -%}
    {{ return(row[0] > 0 and row[1] == row[0] and row[2] > 0) }}
{% endmacro %}

{% macro id_in_scientific_notation(id_expression) -%}
    {#- SQL: the reason for an id a spreadsheet wrote in scientific notation (`1.23405E+11`): its
        digits past the sixth are gone, so it names no customer in the CRM, and two customers can
        become one (rejected as a duplicate, with advice to raise a share). Null otherwise. -#}
    {#- contains() first: a regular expression on each of 10M order lines' ids costs, a substring
        test next to nothing. -#}
    case when (contains({{ id_expression }}, 'E+') or contains({{ id_expression }}, 'e+'))
            and regexp_full_match({{ id_expression }}, '[-+]?[0-9]([.,][0-9]+)?[eE][+][0-9]+')
        then 'customer_id in scientific notation (as a spreadsheet writes a long number): its last digits are lost. Fix: format the id column as text before saving the file, or export it from the source system'
    end
{%- endmacro %}

{% macro id_value(expression, written_as_floats=false, guest_ids=[]) -%}
    {#- A customer id as text, null when missing: empty or a missing-value word (a guest order
        exported from SQL says NULL, pandas says nan: read as an id, every guest order became one
        customer), or one of `guest_ids` (guest_id_words);
        `17850.0` -> `17850` when the column writes its ids as floats. -#}
    {%- set text = text_value(expression) -%}
    {%- set id = "regexp_replace(" ~ text ~ ", '[.]0+$', '')" if written_as_floats else text -%}
    case when not {{ is_missing_word(text, missing_id_words() + guest_ids) }} then {{ id }} end
{%- endmacro %}

{% macro placeholder_customer_ids() %}
    {#- Customer ids that stand for no customer: a POS system's walk-in or cash-sale account, a
        shop's guest checkout, an analytics export's `(not set)`. Read as ids, each was one
        customer holding every guest's spend, the top spender, exported to campaigns, green. -#}
    {{ return(['guest', 'guest customer', 'guest checkout', 'guest user', 'walk-in', 'walkin', 'walk in',
               'walk-in customer', 'walk in customer', 'walkin customer', 'anonymous', 'anonymous customer',
               'anon', 'unknown', 'unknown customer', 'cash', 'cash customer', 'cash sale', 'cash sales',
               '(not set)', 'not set', '(none)', '-', '--', '-1', 'no customer', 'n.a.',
               '00000000-0000-0000-0000-000000000000', 'laufkunde', 'barverkauf', 'gast', 'client de passage',
               'invite', 'cliente de paso', 'cliente mostrador', 'invitado', 'ospite']) }}
{% endmacro %}

{% macro placeholder_ids_found(relation, column, data_type='VARCHAR') %}
    {#- The placeholder_customer_ids (lower case) that occur as ids in the first 100,000 rows of
        `column`: only these are then checked on every row (so an input without them pays
        nothing, and the check on 10M ids stays one short expression). -#}
    {%- if not execute or column is none or is_numeric_type(data_type) and (data_type | string | upper) not in ['BIGINT', 'INTEGER', 'HUGEINT', 'SMALLINT'] -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set value = "lower(" ~ text_value(quote_identifier(column)) ~ ")" -%}
    {%- set rows = run_query("select distinct " ~ value ~ " from " ~ first_rows(relation) ~ " where " ~ value
        ~ " in (" ~ quote_literals(placeholder_customer_ids()) ~ ") order by 1").rows -%}
    {%- set found = [] -%}
    {%- for row in rows -%}{%- do found.append(row[0]) -%}{%- endfor -%}
    {{ return(found) }}
{% endmacro %}

{% macro log_placeholder_ids(model_name, found) %}
    {%- if execute and found and flags.WHICH in ['build', 'run', 'retry'] -%}
        {%- do log(model_name ~ ": customer ids that stand for no customer (a guest, walk-in or cash-sale account): "
            ~ found | map('tojson') | join(', ') ~ ", read as missing (their rows rejected as missing customer_id, counted with the guest lines)", info=true) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{% macro guest_id_words() %}
    {#- The customer id of a guest checkout in an orders input without a customers input: BigCommerce
        and WooCommerce write `0` (pandas `0.0`) for every order placed without an account. Read as
        an id, every guest order was one customer `0`, the top spender of the base, green. With a
        customers input such lines match no customer and are rejected anyway. -#}
    {{ return(['0', '0.0']) }}
{% endmacro %}
