{#- Every customer input row, numbered, with its raw text, its parsed values and the reasons it
    cannot be used (null when it can). stg_customers keeps the good rows, customers_rejected the rest. -#}
{%- if has_customers_input() -%}
    {%- set source_sql = input_relation('customers_path', 'demo_customers') -%}
    {%- set columns = map_input_columns(source_sql, customer_column_synonyms(), 'customer_columns', ['customer_id']) -%}
    {%- set extras = numeric_extra_columns(source_sql, unmapped_columns(source_sql, columns)) -%}
{%- else -%}
    {#- Orders-only input: the customers are the distinct ids found in the orders. -#}
    {%- set source_sql = "(select distinct customer_id from " ~ ref('base_orders') ~ " where rejection_reason is null)" -%}
    {%- set columns = {'customer_id': 'customer_id'} -%}
    {%- set extras = [] -%}
{%- endif -%}

with

source as (

    select * from {{ source_sql }}

),

numbered as (

    select
        row_number() over () as source_row_number,
        {{ row_as_struct('source') }} as source_row,
        source.*
    from source

),

parsed as (

    select
        source_row_number,
        source_row,
        {{ text_value(mapped_column(columns, 'customer_id')) }} as customer_id,
        {{ text_value(mapped_column(columns, 'gender')) }} as raw_gender,
        {{ text_value(mapped_column(columns, 'age')) }} as raw_age,
        {{ text_value(mapped_column(columns, 'annual_income_k')) }} as raw_annual_income_k,
        {{ text_value(mapped_column(columns, 'spending_score')) }} as raw_spending_score,
        {{ text_value(mapped_column(columns, 'signup_date')) }} as raw_signup_date,
        {{ text_value(mapped_column(columns, 'marketing_opt_in')) }} as raw_marketing_opt_in,
        {{ normalize_gender(mapped_column(columns, 'gender')) }} as gender,
        {{ parse_number(mapped_column(columns, 'age')) }} as age,
        {{ parse_number(mapped_column(columns, 'annual_income_k')) }} as annual_income_k,
        {{ parse_number(mapped_column(columns, 'spending_score')) }} as spending_score,
        {{ parse_date(mapped_column(columns, 'signup_date')) }} as signup_date,
        lower({{ text_value(mapped_column(columns, 'email')) }}) as email,
        {%- if 'marketing_opt_in' in columns %}
        -- A blank consent is not consent: only an explicit yes makes a customer contactable.
        coalesce({{ parse_boolean(mapped_column(columns, 'marketing_opt_in')) }}, false) as marketing_opt_in,
        {%- else %}
        -- The input has no consent column: everyone counts as opted in (documented in the README).
        true as marketing_opt_in,
        {%- endif %}
        {%- for column in extras %}
        {{ parse_number(adapter.quote(column)) }} as {{ adapter.quote(normalize_column_name(column)) }},
        {%- endfor %}
        row_number() over (
            partition by {{ text_value(mapped_column(columns, 'customer_id')) }}
            order by source_row_number
        ) as id_occurrence
    from numbered

),

checked as (

    select
        *,
        nullif(concat_ws('; ',
            case when customer_id is null then 'missing customer_id' end,
            case when customer_id is not null and id_occurrence > 1
                then 'duplicate customer_id (the first row with this id is kept)' end,
            case when {{ is_unparseable('raw_age', 'age') }} then 'age is not a number' end,
            case when age < 0 or age > 120 then 'age outside 0-120' end,
            case when {{ is_unparseable('raw_annual_income_k', 'annual_income_k') }}
                then 'annual_income_k is not a number' end,
            case when annual_income_k < 0 then 'negative annual_income_k' end,
            case when {{ is_unparseable('raw_spending_score', 'spending_score') }}
                then 'spending_score is not a number' end,
            case when spending_score < 1 or spending_score > 100 then 'spending_score outside 1-100' end,
            case when {{ is_unparseable('raw_signup_date', 'signup_date') }} then 'signup_date is not a date' end
        ), '') as rejection_reason
    from parsed

),

final as (

    select
        source_row_number,
        -- The input row as it arrived; the *_rejected models turn it into JSON text (doing that
        -- for every row of a large input would be slow).
        source_row,
        customer_id,
        raw_gender,
        raw_age,
        raw_annual_income_k,
        raw_spending_score,
        raw_signup_date,
        raw_marketing_opt_in,
        gender,
        age,
        annual_income_k,
        spending_score,
        signup_date,
        email,
        marketing_opt_in,
        {%- for column in extras %}
        {{ adapter.quote(normalize_column_name(column)) }},
        {%- endfor %}
        id_occurrence,
        rejection_reason
    from checked

)

select * from final
