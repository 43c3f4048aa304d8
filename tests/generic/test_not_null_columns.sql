{#- Several columns of one model hold no null: one scan of the model instead of one test node and
    one scan per column (each dbt test node costs ~40 ms of dbt's own work even on a small table).
    Returns one row per column that has nulls, with how many; the failure count is the number of
    null cells, as a not_null test per column would add up. -#}
{% test not_null_columns(model, columns) %}
{%- set columns = customer_segmentation.column_list_argument('not_null_columns', columns) %}
{{ config(fail_calc="coalesce(sum(null_rows), 0)") }}
with null_counts as (
    select
    {%- for column in columns %}
        count(*) - count({{ column }}) as null_rows_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{%- for column in columns %}
select '{{ column | replace("'", "''") }}' as column_name, null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endtest %}
