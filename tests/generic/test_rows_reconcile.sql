{#- Rows in = rows kept + rows rejected: nothing is silently dropped between `model` (the input,
    every row) and the two outputs. -#}
{% test rows_reconcile(model, kept, rejected) %}
with counts as (
    select
        (select count(*) from {{ model }}) as rows_in,
        (select count(*) from {{ kept }}) as rows_kept,
        (select count(*) from {{ rejected }}) as rows_rejected
)
select * from counts
where rows_in != rows_kept + rows_rejected
{% endtest %}
