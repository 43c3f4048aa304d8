{#- Exactly one row has the boolean column true (when the model has any rows). -#}
{% test exactly_one_true(model, column_name) %}
with counts as (
    select count(*) as row_count, count(case when {{ column_name }} then 1 end) as true_count
    from {{ model }}
)
select * from counts
where row_count > 0 and true_count != 1
{% endtest %}
