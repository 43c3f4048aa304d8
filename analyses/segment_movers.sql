-- Who moved: the customers whose segment changed at the most recent snapshot that recorded a change,
-- with where they came from and where they went (segment_migrations has the counts).

with

membership_history as (

    select * from {{ ref('segment_membership_snapshot') }}

),

current_membership as (

    select * from membership_history where dbt_valid_to is null

),

previous_membership as (

    select * from membership_history where dbt_valid_to is not null

),

moves as (

    select
        current_membership.customer_id,
        previous_membership.segment_id as from_segment_id,
        previous_membership.segment_name as from_segment_name,
        current_membership.segment_id as to_segment_id,
        current_membership.segment_name as to_segment_name,
        current_membership.dbt_valid_from as moved_at
    from current_membership
    inner join previous_membership
        on current_membership.customer_id = previous_membership.customer_id
        and current_membership.dbt_valid_from = previous_membership.dbt_valid_to

),

final as (

    select *
    from moves
    where moved_at = (select max(moved_at) from moves)
        and from_segment_id != to_segment_id

)

select * from final
order by from_segment_id, to_segment_id, customer_id
