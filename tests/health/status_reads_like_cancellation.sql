{#- WARN: kept order lines whose status reads like a cancellation or a refund (`Partially
    Refunded`, `Częściowo zwrócone`, `Stornierung`) but is in neither var cancellation_values nor
    var non_purchase_values: they count as purchases. Before, only a console line said so, lost in
    the log of a green build. The five most frequent values are named with their counts; the
    values are those base_orders found in the first 100,000 lines (base_orders.status_reads_like_cancellation,
    a column only when there are any). -#}
{{ config(severity='warn') }}
-- depends_on: {{ ref('stg_orders') }}
-- depends_on: {{ ref('base_orders') }}
{%- set has_column = execute and 'status_reads_like_cancellation' in (adapter.get_columns_in_relation(ref('base_orders')) | map(attribute='name') | map('lower') | list) -%}
{%- set sql -%}
{%- if has_column %}
select printf('status %s (%s kept lines) reads like a cancellation or a refund but is not among var cancellation_values: those lines count as purchases. Fix: if it is a cancellation or a refund, add it to var cancellation_values, with the default words (dbt_project.yml); if it is no sale, to var non_purchase_values; if it is a sale (a partial refund of a kept order), nothing to do.',
    '''' || status || '''', format('{:,}', lines)) as finding
from (
    select status_reads_like_cancellation as status, count(*) as lines
    from {{ ref('base_orders') }}
    where rejection_reason is null and status_reads_like_cancellation is not null
    group by 1
    order by 2 desc, 1
    limit 5
) as statuses
{%- else %}
select cast(null as varchar) as finding where false
{%- endif %}
{%- endset -%}
{{ health_report('status_reads_like_cancellation', sql) }}
