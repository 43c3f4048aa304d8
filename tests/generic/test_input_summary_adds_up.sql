{#- Rows read = kept + returns + rejected: the outcomes of `input_name` in input_summary add up to
    the rows of `rows_read` (the base model with one row per input line read). -#}
{% test input_summary_adds_up(model, input_name, rows_read) %}
with counts as (
    select
        (select count(*) from {{ rows_read }}) as rows_read,
        (select coalesce(sum(row_count), 0) from {{ model }} where input = {{ quote_literal(input_name) }}) as rows_accounted
)
select * from counts
where rows_read != rows_accounted
{% endtest %}
