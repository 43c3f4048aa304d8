{#- WARN: segmentation_features is auto and only one default feature has data, so the segments are
    bands of that one number (Kaggle's marketing-campaign file, customers only: it has Income and
    Year_Birth but no age, so auto clustered on income alone, in a green build with one-dimensional
    charts). Names the feature, the other numeric columns whose values vary (the first 12) and
    the fix. A list the user named is theirs: no WARN. -#}
{{ config(severity='warn') }}
{#- Compiled when it runs, after its inputs are built: the varying-columns scan over every customer
    is written only when the selected candidate has one feature. -#}
{%- set state = namespace(single=false, others=[]) -%}
{%- if execute and flags.WHICH in ['build', 'test', 'retry'] and setting('segmentation_features') == 'auto' -%}
    {%- set counted = run_query("select count(*) from (" ~ selected_candidate_features(ref('segmentation_candidates')) ~ ") as features") -%}
    {%- set state.single = counted.rows[0][0] == 1 -%}
    {%- if state.single -%}
        {%- for column in adapter.get_columns_in_relation(ref('int_customer_features')) -%}
            {%- if column.is_number() and is_feature_column(column.name) -%}{%- do state.others.append(column.name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endif -%}
{%- set sql -%}
with

segmentation_candidates as (

    select * from {{ ref('segmentation_candidates') }}

),

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

kept_features as (

    {{ selected_candidate_features() }}

),

{%- if state.single %}

varying_columns as (

    -- Numeric feature columns whose values vary (a constant column separates no one).
    select list_filter([
        {%- for name in state.others %}
        case when min({{ quote_identifier(name) }}) < max({{ quote_identifier(name) }}) then {{ quote_literal(name) }} end{{ ',' if not loop.last }}
        {%- endfor %}
    ], lambda name: name is not null) as names
    from customer_features

),
{%- endif %}

final as (

    select
        kept_features.feature_name,
        {%- if state.single %}
        printf(
            'segmentation_features is auto and only %s has data among the default features (age, annual_income_k or income, spending_score; recency_days, frequency, monetary with orders), so the segments are bands of %s alone. %s Fix: name the features, --vars ''{segmentation_features: [%s, ...]}'', or derive the missing one (e.g. derived_features: {age: "2014 - year_birth"} for a birth year).',
            kept_features.feature_name, kept_features.feature_name,
            case
                when len(list_filter(varying_columns.names, lambda name: name <> kept_features.feature_name)) = 0
                    then 'No other numeric column varies.'
                else 'Numeric columns whose values vary: '
                    || array_to_string(list_filter(varying_columns.names, lambda name: name <> kept_features.feature_name)[1:12], ', ')
                    || case when len(list_filter(varying_columns.names, lambda name: name <> kept_features.feature_name)) > 12
                        then ' and ' || (len(list_filter(varying_columns.names, lambda name: name <> kept_features.feature_name)) - 12) || ' more' else '' end
                    || '.'
            end,
            kept_features.feature_name
        ) as finding
        {%- else %}
        cast(null as varchar) as finding
        {%- endif %}
    from kept_features
    {%- if state.single %}
    cross join varying_columns
    {%- else %}
    where false
    {%- endif %}

)

select * from final
{%- endset -%}
{{ health_report('clustered_on_one_feature', sql) }}
