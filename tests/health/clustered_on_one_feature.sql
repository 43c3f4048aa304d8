{#- WARN: segmentation_features is auto and only one default feature has data, so the segments are
    bands of that one number (Kaggle's marketing-campaign file, customers only: it has Income and
    Year_Birth but no age, so auto clustered on income alone, in a green build with one-dimensional
    charts). Names the feature, the other numeric columns whose values vary (the first 12) and
    the fix. A list the user named is theirs: no WARN. -#}
{{ config(severity='warn') }}
{#- Reads int_customer_features when it compiles (below): the ref makes dbt build it first. -#}
{%- do ref('int_customer_features') -%}
{#- Compiled when it runs, after its inputs are built: the columns that vary are looked up (one
    query over every customer) only when the selected candidate has one feature. -#}
{%- set state = namespace(feature=none, others=[]) -%}
{%- if execute and flags.WHICH in ['build', 'test', 'retry'] and setting('segmentation_features') == 'auto' -%}
    {%- set selected = run_query(selected_candidate_features(ref('segmentation_candidates'))).columns[0].values() -%}
    {%- if selected | length == 1 -%}
        {%- set state.feature = selected[0] -%}
        {%- set numeric = [] -%}
        {%- for column in adapter.get_columns_in_relation(ref('int_customer_features')) -%}
            {%- if column.is_number() and is_feature_column(column.name) and column.name != state.feature -%}{%- do numeric.append(column.name) -%}{%- endif -%}
        {%- endfor -%}
        {%- set state.others = varying_columns(ref('int_customer_features'), numeric) -%}
    {%- endif -%}
{%- endif -%}
{%- set sql -%}
with

segmentation_candidates as (

    select * from {{ ref('segmentation_candidates') }}

),

kept_features as (

    {{ selected_candidate_features() }}

),

final as (

    select
        feature_name,
        printf(
            'segmentation_features is auto and only %s has data among the default features (age, annual_income_k or income, spending_score; recency_days, frequency, monetary with orders), so the segments are bands of %s alone. %s Fix: name the features, --vars ''{segmentation_features: [%s, ...]}'', or derive the missing one (e.g. derived_features: {age: "2014 - year_birth"} for a birth year).',
            feature_name, feature_name,
            {%- if state.others %}
            {{ quote_literal('Numeric columns whose values vary: ' ~ state.others[:12] | join(', ')
                ~ (' and ' ~ (state.others | length - 12) ~ ' more' if state.others | length > 12 else '') ~ '.') }},
            {%- else %}
            'No other numeric column varies.',
            {%- endif %}
            feature_name
        ) as finding
    from kept_features
    where {{ 'true' if state.feature is not none else 'false' }}

)

select * from final
{%- endset -%}
{{ health_report('clustered_on_one_feature', sql) }}
