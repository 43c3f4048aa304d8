{#- Map whatever header an input file has onto the standard column names of DESIGN.md.
    Headers are normalised (lower case, runs of non-alphanumerics -> '_'), then matched against
    known synonyms; the customer_columns / order_columns vars override any match. -#}

{% macro normalize_column_name(name) %}
    {{ return(modules.re.sub('[^a-z0-9]+', '_', name | lower).strip('_')) }}
{% endmacro %}

{% macro customer_column_synonyms() %}
    {{ return({
        'customer_id': ['customer_id', 'customerid', 'cust_id', 'client_id', 'user_id', 'id'],
        'gender': ['gender', 'genre', 'sex'],
        'age': ['age', 'age_years'],
        'annual_income_k': ['annual_income_k', 'annual_income_k_usd', 'annual_income', 'income_k', 'income'],
        'spending_score': ['spending_score', 'spending_score_1_100', 'score'],
        'signup_date': ['signup_date', 'signup', 'created_at', 'first_seen', 'customer_since'],
        'email': ['email', 'email_address'],
        'marketing_opt_in': ['marketing_opt_in', 'opt_in', 'accepts_marketing', 'marketing_consent'],
    }) }}
{% endmacro %}

{% macro order_column_synonyms() %}
    {{ return({
        'order_id': ['order_id', 'orderid', 'invoice_no', 'invoiceno', 'invoice', 'id'],
        'customer_id': ['customer_id', 'customerid', 'cust_id', 'client_id', 'user_id'],
        'order_date': ['order_date', 'orderdate', 'invoice_date', 'invoicedate', 'date', 'created_at'],
        'amount': ['amount', 'order_total', 'total', 'revenue', 'sales', 'value'],
        'category': ['category', 'product_category'],
        'channel': ['channel', 'sales_channel'],
    }) }}
{% endmacro %}

{% macro input_column_names(relation_sql) %}
    {#- The column names of an input, in file order (empty at parse time). -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set described = run_query("describe select * from " ~ relation_sql) -%}
    {{ return(described.columns[0].values() | list) }}
{% endmacro %}

{% macro map_input_columns(relation_sql, synonyms, overrides_var, required) %}
    {#- Returns {standard_name: source column name} for the standard columns found, and
        fails with the columns seen and the var to set when a required one is missing. -#}
    {%- set columns = input_column_names(relation_sql) -%}
    {%- if not execute -%}
        {%- set parse_map = {} -%}
        {%- for name in synonyms -%}{%- do parse_map.update({name: name}) -%}{%- endfor -%}
        {{ return(parse_map) }}
    {%- endif -%}
    {%- set overrides = var(overrides_var, {}) or {} -%}
    {%- set by_normalized = {} -%}
    {%- for column in columns -%}
        {%- do by_normalized.setdefault(normalize_column_name(column), column) -%}
    {%- endfor -%}
    {%- set mapping = {} -%}
    {%- for standard, candidates in synonyms.items() -%}
        {%- if standard in overrides -%}
            {%- if overrides[standard] not in columns -%}
                {{ exceptions.raise_compiler_error(
                    "var " ~ overrides_var ~ " maps " ~ standard ~ " to '" ~ overrides[standard]
                    ~ "', but the input has no such column. Columns found: " ~ columns | join(', ') ~ ".") }}
            {%- endif -%}
            {%- do mapping.update({standard: overrides[standard]}) -%}
        {%- else -%}
            {%- for candidate in candidates -%}
                {%- if standard not in mapping and candidate in by_normalized and by_normalized[candidate] not in mapping.values() -%}
                    {%- do mapping.update({standard: by_normalized[candidate]}) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for standard in required -%}
        {%- if standard not in mapping -%}
            {{ exceptions.raise_compiler_error(
                "The input has no column for " ~ standard ~ ". Columns found: " ~ columns | join(', ')
                ~ ". Fix: name it with --vars '{" ~ overrides_var ~ ": {" ~ standard ~ ": \"<your column>\"}}'.") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(mapping) }}
{% endmacro %}

{% macro unmapped_columns(relation_sql, mapping) %}
    {#- Input columns that are not standard ones: carried through as extra features. -#}
    {%- set extras = [] -%}
    {%- for column in input_column_names(relation_sql) -%}
        {%- if column not in mapping.values() -%}{%- do extras.append(column) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(extras) }}
{% endmacro %}
