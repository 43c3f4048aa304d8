{#- The column sums to `total` within `tolerance` (e.g. shares that must add up to 1). -#}
{% test sums_to(model, column_name, total=1, tolerance=0.000001) %}
select sum({{ column_name }}) as column_total
from {{ model }}
having count(*) > 0 and abs(sum({{ column_name }}) - {{ total }}) > {{ tolerance }}
{% endtest %}
