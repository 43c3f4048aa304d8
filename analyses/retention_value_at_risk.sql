-- Value at risk by segment: how many watch-listed customers each valuable segment has, how much
-- annualised spend they represent, and how many can be contacted.

with

retention_watchlist as (

    select * from {{ ref('retention_watchlist') }}

),

final as (

    select
        segment_id,
        segment_name,
        count(*) as customers_at_risk,
        count(case when is_contactable then 1 end) as contactable_at_risk,
        sum(value_at_risk) as value_at_risk,
        avg(overdue_ratio) as average_overdue_ratio
    from retention_watchlist
    group by segment_id, segment_name

)

select * from final
order by value_at_risk desc
