{#- No two rows share the same values in all of `columns` (a compound key). -#}
{% test unique_combination(model, columns) %}
{%- set columns = customer_segmentation.column_list_argument('unique_combination', columns) %}
select {{ columns | join(', ') }}, count(*) as row_count
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
