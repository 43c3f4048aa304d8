{#- The public feature table: one row per valid customer, every feature in its own units (what the
    clustering saw before transforms, imputation and scaling). Fixed columns first, then the
    columns that depend on the input: share_<category>, extra numeric input columns, derived features. -#}
{%- set fixed = {
    'age': 'integer', 'annual_income_k': 'double', 'income': 'double', 'spending_score': 'integer',
    'is_female': 'integer', 'recency_days': 'integer', 'frequency': 'integer', 'monetary': 'double',
    'avg_order_value': 'double', 'tenure_days': 'integer', 'return_count': 'integer',
    'return_amount': 'double', 'return_rate': 'double', 'online_share': 'double',
} -%}
{%- set available = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(ref('int_customer_features')) -%}
        {%- do available.append(column.name) -%}
    {%- endfor -%}
{%- endif -%}

with

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

final as (

    select
        customer_id,
        {%- for name, data_type in fixed.items() %}
        {%- if name in available or not execute %}
        cast({{ quote_identifier(name) }} as {{ data_type }}) as {{ quote_identifier(name) }},
        {%- else %}
        -- Not in this staging layer (yet): kept so the table's fixed columns never change.
        cast(null as {{ data_type }}) as {{ quote_identifier(name) }},
        {%- endif %}
        {%- endfor %}
        {%- for name in available if name not in fixed and is_feature_column(name) %}
        {{ quote_identifier(name) }},
        {%- endfor %}
        source_row_number
    from customer_features

)

select * from final
