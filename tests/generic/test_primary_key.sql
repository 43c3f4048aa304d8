{#- The column is a key: never null and never repeated. dbt's unique and not_null in one test node
    and one scan (each dbt test node costs ~40 ms of dbt's own work even on a small table). Returns
    each repeated key with its row count, and the null key if any. -#}
{% test primary_key(model, column_name) %}
select {{ column_name }} as key_value, count(*) as rows_with_key
from {{ model }}
group by {{ column_name }}
having count(*) > 1 or {{ column_name }} is null
{% endtest %}
