{#- One row per (from segment, to segment) pair: how many customers were in one segment at the last
    snapshot before this run and are in the other now. from_segment_id null = new customers,
    to_segment_id null = customers no longer in the input; from = to = stayed. Within `dbt build` the
    snapshot runs before this model, so "before this run" means membership valid when the invocation
    started (run_started_at, in the same local-time convention as dbt-duckdb's snapshot timestamps).
    On the first build there is no history, so every customer shows as new; the same when the
    snapshot has never run (e.g. `dbt run` on a fresh database). -#}
{%- set history_relation = ref('segment_membership_snapshot') -%}
{%- set history_exists = not execute or load_relation(history_relation) is not none %}

with

membership_history as (

    {%- if history_exists %}
    select * from {{ history_relation }}
    {%- else %}
    -- The snapshot has not run yet: no history.
    select
        cast(null as varchar) as customer_id,
        cast(null as bigint) as segment_id,
        cast(null as varchar) as segment_name,
        cast(null as timestamp) as dbt_valid_from,
        cast(null as timestamp) as dbt_valid_to
    where 1 = 0
    {%- endif %}

),

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

run_start as (

    select cast(cast('{{ run_started_at.isoformat() }}' as timestamp with time zone) as timestamp) as started_at

),

previous_membership as (

    select
        membership_history.customer_id,
        membership_history.segment_id,
        membership_history.segment_name,
        membership_history.dbt_valid_from as member_since
    from membership_history
    cross join run_start
    where membership_history.dbt_valid_from < run_start.started_at
        and (membership_history.dbt_valid_to is null or membership_history.dbt_valid_to >= run_start.started_at)

),

moves as (

    select
        previous_membership.segment_id as from_segment_id,
        previous_membership.segment_name as from_segment_name,
        customer_segments.segment_id as to_segment_id,
        customer_segments.segment_name as to_segment_name
    from previous_membership
    full outer join customer_segments
        on previous_membership.customer_id = customer_segments.customer_id

),

counted as (

    select
        from_segment_id,
        from_segment_name,
        to_segment_id,
        to_segment_name,
        count(*) as customer_count
    from moves
    group by from_segment_id, from_segment_name, to_segment_id, to_segment_name

),

final as (

    select
        cast(from_segment_id as bigint) as from_segment_id,
        cast(from_segment_name as varchar) as from_segment_name,
        cast(to_segment_id as bigint) as to_segment_id,
        cast(to_segment_name as varchar) as to_segment_name,
        cast(customer_count as bigint) as customer_count,
        cast(customer_count * 1.0 / sum(customer_count) over (partition by from_segment_id) as double)
            as share_of_from_segment,
        case
            when from_segment_id is null then 'new'
            when to_segment_id is null then 'left'
            when from_segment_id = to_segment_id then 'stayed'
            else 'moved'
        end as migration_type,
        (select started_at from run_start) as compared_at
    from counted

)

select * from final
