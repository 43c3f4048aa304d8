{#- WARN: a demographic feature the clustering uses (age, income, annual_income_k,
    spending_score) is exactly 0 for more than 10% of the customers clustered (age: more than 1%,
    and at least 3 customers). CRMs write 0 for
    "unknown": kept as a value, the zeros form a segment of their own ("Young High-Income High
    Spenders" of median age 0, found on a CRM export where a third of the ages were 0). Named,
    with the share; behaviour features (frequency, monetary, shares) are left out, where 0 is
    a customer without purchases. Reads int_customer_features once (one aggregate). -#}
{{ config(severity='warn') }}
{%- set max_zero_share = 0.1 -%}
{#- An age of 0 is never a customer's: 1% (and at least 3 customers) is enough (10 of 180 CRM ages
    of 0 made "Young High-Income Customers II", 0 years old on median, green). -#}
{%- set max_zero_age_share = 0.01 -%}
{%- set candidates = ['age', 'income', 'annual_income_k', 'spending_score'] -%}
{%- set columns = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(ref('int_customer_features')) if column.name | lower in candidates -%}
        {%- do columns.append(column.name | lower) -%}
    {%- endfor -%}
{%- endif -%}
{%- set sql -%}
with

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

segmentation_candidates as (

    select * from {{ ref('segmentation_candidates') }}

),

clustered_features as (

    {{ selected_candidate_features() }}

),

zeros as (

    {%- if columns %}
    select feature_name, zero_count, customer_count
    from (
        select
            count(*) as customer_count,
            {%- for column in columns %}
            count(*) filter (where {{ column }} = 0) as {{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from customer_features
    ) unpivot (zero_count for feature_name in ({{ columns | join(', ') }}))
    {%- else %}
    select cast(null as varchar) as feature_name, 0 as zero_count, 0 as customer_count
    where false
    {%- endif %}

),

final as (

    select
        feature_name,
        zero_count,
        customer_count,
        printf(
            'feature %s is 0 for %.1f%% of the customers (%s of %s), over %d%%: if 0 means "unknown" in the source (as many CRMs write it), the zeros form a segment of their own. Fix: blank those cells so they read as missing and are imputed (a view as customers_relation with nullif(%s, 0)), or drop %s from var segmentation_features; if they are true zeros, nothing to do.',
            feature_name, 100.0 * zero_count / customer_count, format('{:,}', zero_count), format('{:,}', customer_count),
            case when feature_name = 'age' then {{ (100 * max_zero_age_share) | int }} else {{ (100 * max_zero_share) | int }} end,
            feature_name, feature_name
        ) as finding
    from zeros
    where feature_name in (select feature_name from clustered_features)
        and (zero_count > {{ max_zero_share }} * customer_count
            -- No customer is 0 years old: a few such ages already form a segment of their own.
            or feature_name = 'age' and zero_count >= 3 and zero_count > {{ max_zero_age_share }} * customer_count)

)

select * from final
{%- endset -%}
{{ health_report('feature_zero_placeholder', sql) }}
