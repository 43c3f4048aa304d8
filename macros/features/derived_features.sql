{#- Which columns are features, and features computed from other columns by configuration
    (var derived_features: {name: "SQL expression over the normalised columns"}). -#}

{% macro non_feature_columns() %}
    {#- The one list of columns that are never features (identifiers, contact data, bookkeeping).
        Everything else numeric in int_customer_features can be clustered on and profiled. -#}
    {{ return(['customer_id', 'gender', 'email', 'marketing_opt_in', 'sms_opt_in', 'signup_date',
               'source_row_number', 'source_row', 'raw_record', 'id_occurrence', 'rejection_reason',
               'derived_out_of_range']) }}
{% endmacro %}

{% macro is_identifier_column(name) %}
    {#- An identifier or a code, not a quantity, whatever its digits: `ID` beside the mapped customer
        id, `Household ID`, `Member No`, `customer_id_2`, a postal code (`PLZ`, `Zip`: 02134 is no
        number, and a ZIP+4 is no error) or a phone number. By normalised name: `id`, a customer_id
        synonym, a name ending in _id, _nr, _no or _number, or a postal-code or phone word (with
        a collision suffix such as _2). Staging carries such a column as text (identifier_extra_columns),
        and it is never clustered or profiled. -#}
    {%- set name = name | string -%}
    {#- Also mobile numbers, store and branch codes, region codes, and the row index pandas writes
        (`Unnamed: 0`, Mailchimp's LEID / EUID): profiled as quantities ("avg Telefonnummer"), and
        an index suggested as a feature. -#}
    {%- set codes = ['zip', 'zip_code', 'zipcode', 'postcode', 'post_code', 'postal_code', 'postalcode',
                     'plz', 'postleitzahl', 'code_postal', 'codigo_postal', 'phone', 'telephone',
                     'telefon', 'telefono', 'telephone_number', 'tel', 'fax', 'telefonnummer', 'mobile',
                     'mobil', 'handy', 'cell', 'mobile_number', 'mobilnummer', 'store', 'store_code', 'shop',
                     'branch', 'filiale', 'region_code', 'regionalcode', 'area_code', 'country_code',
                     'unnamed', 'index', 'leid', 'euid'] -%}
    {%- set base = modules.re.sub('_[0-9]+$', '', name) -%}
    {#- A postal word anywhere in the name (`customer_zip_code_prefix`, Olist's; `billing_zip`,
        `shipping_postal_code`): no quantity is named so. A phone word only at the end
        (`mobile_phone`, `home_tel`): `phone_orders` may count orders. -#}
    {%- set parts = base.split('_') -%}
    {%- set postal = parts | select('in', ['zip', 'zipcode', 'postcode', 'postal', 'postalcode', 'plz', 'postleitzahl']) | list -%}
    {{ return(name in customer_column_synonyms()['customer_id']
              or base in codes
              or postal | length > 0
              or parts[-1] in ['phone', 'telephone', 'telefon', 'telefono', 'tel', 'fax', 'mobile', 'telefonnummer', 'code']
              or (not name.startswith('share_')
                  and modules.re.match('^(id|.+_(id|nr|no|number))(_[0-9]+)?$', name) is not none)) }}
{% endmacro %}

{% macro is_feature_column(name) %}
    {#- Whether a numeric column of int_customer_features may be clustered on and profiled. -#}
    {{ return(name not in non_feature_columns() and not is_identifier_column(name)) }}
{% endmacro %}

{% macro _derived_feature_error(name, problem, fix) %}
    {{ exceptions.raise_compiler_error(
        "var derived_features: " ~ name ~ " " ~ problem ~ " Fix: " ~ fix) }}
{% endmacro %}

{% macro requested_derived_features() %}
    {#- The var as a list of (name, expression) pairs, in the order given; names and expression
        text checked here, the expressions themselves in validated_derived_features(). -#}
    {#- A mapping of non-empty texts ({} when unset), checked by the var schema. -#}
    {%- set requested = setting('derived_features') -%}
    {%- set pairs = [] -%}
    {%- for name, expression in requested.items() -%}
        {%- set name = name | string -%}
        {%- if not modules.re.match('^[a-z_][a-z0-9_]{0,62}$', name) -%}
            {{ _derived_feature_error(quote_literal(name), "is not a safe column name (lower-case letters, digits and _, starting with a letter).",
                "rename it, e.g. " ~ (normalize_column_name(name) or 'my_feature') ~ ".") }}
        {%- endif -%}
        {%- if name in non_feature_columns() -%}
            {{ _derived_feature_error(name, "would replace " ~ name ~ ", which is not a feature (" ~ non_feature_columns() | join(', ') ~ ").",
                "choose another name.") }}
        {%- endif -%}
        {%- if expression is none or expression is mapping or (expression is iterable and expression is not string) or (expression | string | trim) == '' -%}
            {{ _derived_feature_error(name, "needs one SQL expression as text.", "e.g. {" ~ name ~ ": \"mnt_wines + mnt_fruits\"}.") }}
        {%- endif -%}
        {%- set expression = expression | string | trim -%}
        {#- String literals may contain anything; the checks below look at the code around them. -#}
        {%- set code = modules.re.sub("'([^']|'')*'", "''", expression) -%}
        {%- if ';' in code -%}
            {{ _derived_feature_error(name, "contains ';': an expression is one value, never a statement.", "remove the ';' and anything after it.") }}
        {%- endif -%}
        {%- if '--' in code or '/*' in code or '*/' in code -%}
            {{ _derived_feature_error(name, "contains a comment (-- or /*): an expression is one value, never a statement.", "remove the comment.") }}
        {%- endif -%}
        {%- if modules.re.search('(?i)\\bselect\\b', code) -%}
            {{ _derived_feature_error(name, "contains a subquery (select): a derived feature is computed from one customer's own columns.",
                "write a scalar expression over the columns of int_customer_features, e.g. \"mnt_wines + mnt_fruits\".") }}
        {%- endif -%}
        {%- if code.count("'") % 2 == 1 -%}
            {{ _derived_feature_error(name, "has an unterminated string literal.", "close every ' (write '' for a quote inside a string).") }}
        {%- endif -%}
        {%- do pairs.append((name, expression)) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{% endmacro %}

{% macro check_derived_expression(name, expression, types) %}
    {#- Parses `select (expression) from t` with DuckDB's own parser (json_serialize_sql, which reports
        a syntax error as data instead of failing) and checks the tree: one plain expression, no
        subquery, window or aggregate, known functions, only existing columns, and no arithmetic
        operator applied directly to a text or boolean column (`age + gender`, which DuckDB's binder
        would answer with ~60 candidate signatures of the operator; other type errors come from the
        binder). `types` maps the columns the expression may use to their types. -#}
    {%- set columns = types.keys() | list -%}
    {%- set not_numbers = ["''"] -%}
    {%- for column, data_type in types.items() if data_type | upper in ['VARCHAR', 'BOOLEAN'] -%}
        {%- do not_numbers.append(quote_literal(column | lower)) -%}
    {%- endfor -%}
    {%- set statement = "select (" ~ expression ~ ") from derived_feature_input" -%}
    {%- set query -%}
        with ast as (
            select json_serialize_sql({{ quote_literal(statement) }}) as tree
        ),
        nodes as (
            select node.key, node.atom, node.value
            from ast, json_tree(ast.tree) as node
        ),
        functions as (
            select distinct nodes.atom ->> '$' as function_name
            from nodes
            where nodes.key = 'function_name'
        )
        select
            (select tree ->> '$.error' from ast) as has_error,
            (select tree ->> '$.error_message' from ast) as error_message,
            (select json_array_length(tree -> '$.statements') from ast) as statement_count,
            (select json_array_length(tree -> '$.statements[0].node.select_list') from ast) as expression_count,
            (select tree ->> '$.statements[0].node.type' from ast) as node_type,
            (select tree ->> '$.statements[0].node.from_table.table_name' from ast) as from_table,
            (select tree ->> '$.statements[0].node.where_clause' from ast) as where_clause,
            (select tree ->> '$.statements[0].node.select_list[0].alias' from ast) as alias,
            (select string_agg(distinct atom ->> '$', ',') from nodes where key = 'class' and (atom ->> '$') in ('SUBQUERY', 'WINDOW', 'STAR', 'LAMBDA_REF')) as forbidden_classes,
            (select to_json(list(distinct value ->> '$[-1]')) from nodes where key = 'column_names') as column_refs,
            (select string_agg(distinct functions.function_name, ', ')
                from functions
                inner join duckdb_functions() as known
                    on lower(known.function_name) = lower(functions.function_name)
                where known.function_type in ('aggregate', 'table', 'table_macro')
                    and not exists (
                        select 1 from duckdb_functions() as scalar
                        where lower(scalar.function_name) = lower(functions.function_name)
                            and scalar.function_type in ('scalar', 'macro'))) as non_scalar_functions,
            (select string_agg(distinct functions.function_name, ', ')
                from functions
                where not exists (
                    select 1 from duckdb_functions() as known
                    where lower(known.function_name) = lower(functions.function_name))) as unknown_functions,
            (select min(operator.value ->> 'function_name' || ' ' || (argument.value -> 'expression' -> 'column_names' ->> -1))
                from nodes as operator, json_each(operator.value -> 'arguments') as argument
                where operator.value ->> 'class' = 'FUNCTION'
                    and operator.value ->> 'is_operator' = 'true'
                    and operator.value ->> 'function_name' in ('+', '-', '*', '/', '//', '%', '**', '^')
                    and argument.value -> 'expression' ->> 'class' = 'COLUMN_REF'
                    and lower(argument.value -> 'expression' -> 'column_names' ->> -1) in ({{ not_numbers | join(', ') }})) as arithmetic_on_text
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- if row['has_error'] == 'true' -%}
        {{ _derived_feature_error(name, "= " ~ quote_literal(expression) ~ " is not valid SQL (" ~ row['error_message'] ~ ").",
            "write one scalar expression, e.g. \"2014 - year_birth\".") }}
    {%- endif -%}
    {%- if row['statement_count'] != 1 or row['expression_count'] != 1 or row['node_type'] != 'SELECT_NODE'
        or row['from_table'] != 'derived_feature_input' or row['where_clause'] is not none or (row['alias'] or '') != '' -%}
        {{ _derived_feature_error(name, "= " ~ quote_literal(expression) ~ " is not a single scalar expression.",
            "write one expression without commas at the top level, aliases or clauses, e.g. \"mnt_wines + mnt_fruits\".") }}
    {%- endif -%}
    {%- if row['forbidden_classes'] -%}
        {{ _derived_feature_error(name, "= " ~ quote_literal(expression) ~ " uses " ~ row['forbidden_classes'] | lower
            ~ ": a derived feature is computed from one customer's own columns.",
            "use only columns, constants, operators and scalar functions.") }}
    {%- endif -%}
    {%- if row['non_scalar_functions'] -%}
        {{ _derived_feature_error(name, "= " ~ quote_literal(expression) ~ " uses " ~ row['non_scalar_functions']
            ~ ", which is not a per-row function (an aggregate or a table function).",
            "use only scalar functions; derived features are computed per customer.") }}
    {%- endif -%}
    {%- if row['unknown_functions'] -%}
        {{ _derived_feature_error(name, "= " ~ quote_literal(expression) ~ " calls unknown function(s) " ~ row['unknown_functions'] ~ ".",
            "use DuckDB's scalar functions (https://duckdb.org/docs/sql/functions/overview).") }}
    {%- endif -%}
    {%- set known = [] -%}
    {%- for column in columns -%}{%- do known.append(column | lower) -%}{%- endfor -%}
    {%- for reference in fromjson(row['column_refs'] or '[]') -%}
        {%- if reference is not none and (reference | lower) not in known -%}
            {{ _derived_feature_error(name, "= " ~ quote_literal(expression) ~ " uses column " ~ quote_identifier(reference)
                ~ ", which int_customer_features does not have. Columns available: " ~ columns | join(', ') ~ ".",
                "use one of the available columns (headers are normalised: lower case, punctuation to _).") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if row['arithmetic_on_text'] -%}
        {%- set operator, column = row['arithmetic_on_text'].split(' ', 1) -%}
        {%- set data_type = [] -%}
        {%- for known_name, known_type in types.items() if known_name | lower == column | lower -%}{%- do data_type.append(known_type) -%}{%- endfor -%}
        {%- if data_type[0] | upper == 'BOOLEAN' -%}
            {%- set fix = "turn it into 0 / 1 first: cast(" ~ column ~ " as integer)." -%}
        {%- else -%}
            {%- set fix = "turn it into a number first: case when " ~ column ~ " = '<value>' then 1 else 0 end for a category, or cast("
                ~ column ~ " as double) for a number held as text." -%}
        {%- endif -%}
        {{ _derived_feature_error(name, "= " ~ quote_literal(expression) ~ " applies " ~ operator ~ " to " ~ column
            ~ ", which is " ~ data_type[0] ~ ", not a number.", fix) }}
    {%- endif -%}
{% endmacro %}

{% macro validated_derived_features(relation_sql) %}
    {#- Checks every derived feature against `relation_sql` (a query with the columns of
        int_customer_features before the derived features) and returns a list of
        {name, expression, replaces} in order. A feature may use the ones defined before it, and a
        name that already exists (e.g. age) replaces that column with the expression, which may
        read the old value: {age: "coalesce(age, 2014 - year_birth)"}. Empty at parse time. -#}
    {%- set requested = requested_derived_features() -%}
    {%- if not execute or requested | length == 0 -%}{{ return([]) }}{%- endif -%}
    {%- set state = namespace(columns=[], types={}, sql=relation_sql) -%}
    {%- for column in described_query_columns(relation_sql) -%}
        {%- do state.columns.append(column.name) -%}
        {%- do state.types.update({column.name: column.data_type}) -%}
    {%- endfor -%}
    {%- set validated = [] -%}
    {%- for name, expression in requested -%}
        {#- Checked here as far as the parse tree goes (arithmetic on text included); any other
            type error comes from DuckDB's binder below, as a database error: this line says which
            feature it was. -#}
        {%- do log("derived_features: " ~ name ~ " = " ~ expression, info=true) -%}
        {{ check_derived_expression(name, expression, state.types) }}
        {%- set probe = "select (" ~ expression ~ ") as " ~ quote_identifier(name) ~ " from (" ~ state.sql ~ ") as derived_feature_input" -%}
        {%- set data_type = described_query_columns(probe)[0].data_type -%}
        {%- do state.types.update({name: data_type}) -%}
        {%- if not modules.re.match('^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL.*)$', data_type) -%}
            {{ _derived_feature_error(name, "= " ~ quote_literal(expression) ~ " is of type " ~ data_type ~ ", not a number.",
                "make it numeric, e.g. cast(... as double) or case when ... then 1 else 0 end.") }}
        {%- endif -%}
        {%- set replaces = name in state.columns -%}
        {%- do validated.append({'name': name, 'expression': expression, 'replaces': replaces}) -%}
        {%- set state.sql = derived_feature_select(state.columns, validated[-1], 'derived_feature_input', "(" ~ state.sql ~ ")") -%}
        {%- if not replaces -%}{%- do state.columns.append(name) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(validated) }}
{% endmacro %}

{% macro derived_feature_select(columns, feature, alias, from_sql) %}
    {#- `select` of every column with `feature` added (or replacing the column of its name). A
        value that is no finite number (`monetary / frequency` is NaN for a customer without
        orders, 1 / 0 is inf) reads as missing, and so does one outside the bounds of the standard
        column the feature is named after (`age`: 0-120, standard_value_bounds), as staging holds
        the input's own column; column derived_out_of_range keeps such a value as text (`age =
        121`, `visit_value = nan`; a whole number without `.0`) for the derived_value_out_of_range
        WARN. (NaN went through scaling as the largest value there is, clipped to the top of the
        outlier fence; Year_Birth 1893 in Kaggle's marketing-campaign file makes `2014 -
        year_birth` 121.) -#}
    {%- set value = "(" ~ feature.expression ~ ")" -%}
    {%- set bounded = 'derived_out_of_range' in columns -%}
    {%- if bounded -%}
        {%- set outside = "not isfinite(" ~ value ~ ")" -%}
        {%- if feature.name in standard_value_bounds() -%}
            {%- set outside = "(" ~ outside ~ " or " ~ outside_standard_bounds(feature.name, value) ~ ")" -%}
        {%- endif -%}
        {%- set kept_value = "case when " ~ outside ~ " then null else " ~ value ~ " end" -%}
    {%- else -%}
        {%- set kept_value = value -%}
    {%- endif -%}
    {%- set items = [] -%}
    {%- for column in columns -%}
        {%- if column == feature.name -%}
            {%- do items.append(kept_value ~ " as " ~ quote_identifier(column)) -%}
        {%- elif bounded and column == 'derived_out_of_range' -%}
            {%- do items.append("nullif(concat_ws('; ', " ~ alias ~ ".derived_out_of_range, case when " ~ outside ~ " then "
                ~ quote_literal(feature.name ~ " = ") ~ " || regexp_replace(regexp_replace(cast(" ~ value ~ " as varchar), '\\.0$', ''), '^-nan$', 'nan') end), '') as derived_out_of_range") -%}
        {%- else -%}
            {%- do items.append(alias ~ "." ~ quote_identifier(column)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not feature.replaces -%}
        {%- do items.append(kept_value ~ " as " ~ quote_identifier(feature.name)) -%}
    {%- endif -%}
    {{ return("select " ~ items | join(", ") ~ " from " ~ from_sql ~ " as " ~ alias) }}
{% endmacro %}

{% macro described_query_columns(select_sql) %}
    {#- [{name, data_type}] of a query, without running it (DuckDB's describe plans the query only). -#}
    {%- set described = run_query("describe " ~ select_sql) -%}
    {%- set columns = [] -%}
    {%- for row in described.rows -%}
        {%- do columns.append({'name': row['column_name'], 'data_type': row['column_type']}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}
