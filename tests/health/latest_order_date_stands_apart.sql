{#- WARN: the latest purchase dates stand far apart from the rest (one invoice line of 2011 typed
    2021). Without var as_of_date, recency and tenure are measured from the day after the latest
    purchase (int_customer_features, reference_date), so every customer would look years silent,
    "Champions" would read "last bought 117 months ago" and the retention watchlist balloon, in a
    green build.
    Rule: take the widest jump between consecutive distinct purchase dates that leads into the
    last 1% of purchase lines (the jump into the latest date always counts, so a small file has
    one); it is a finding when it is longer than 180 days and more than 3 times the longest
    silence between any two earlier purchase dates. The shop's own rhythm sets the bar: a seasonal
    shop's last 1% of lines sits inside its last season, and its silences between seasons raise
    the bar; so do a sparse shop's (20 purchase lines at random over 3 years: 1 finding in 1,000
    draws, 21 without the factor 3; 40 lines: none). A year typed one too high anywhere in the last
    half-year of a busy shop's data is still caught (a jump of ~1 year against silences of days).
    Silent when var as_of_date is set: the reference date is then the user's, and lines after it
    are rejected.
    Reads one aggregate over stg_orders (one row per distinct date: 0.09 s at 10M lines over 10 years); the
    windows run over those dates, never over the order lines. -#}
{{ config(severity='warn') }}
{%- set min_gap_days = 180 -%}
{%- set min_factor = 3 -%}
{%- set last_lines_share = 0.01 -%}
{%- set sql -%}
with

orders as (

    select * from {{ ref('stg_orders') }}

),

purchase_dates as (

    -- The lines the reference date is taken from (int_customer_features, purchase_lines).
    select
        order_date,
        count(*) as line_count
    from orders
    where not coalesce(is_return, false)
        and amount > 0
        and order_date is not null
    group by order_date

),

totals as (

    select
        sum(line_count) as line_count,
        max(order_date) as latest_date
    from purchase_dates

),

dates_latest_first as (

    select
        order_date,
        lead(order_date) over (order by order_date desc) as date_before,
        sum(line_count) over (order by order_date desc rows between unbounded preceding and current row) as lines_from_date
    from purchase_dates

),

gaps as (

    select
        order_date,
        date_before,
        lines_from_date,
        {{ dbt.datediff('date_before', 'order_date', 'day') }} as gap_days
    from dates_latest_first
    where date_before is not null

),

widest_jump_into_the_last_lines as (

    select
        gaps.order_date,
        gaps.date_before,
        gaps.lines_from_date,
        gaps.gap_days,
        totals.line_count,
        totals.latest_date
    from gaps
    cross join totals
    where gaps.order_date = totals.latest_date
        or gaps.lines_from_date <= {{ last_lines_share }} * totals.line_count
    order by gaps.gap_days desc, gaps.order_date desc
    limit 1

),

longest_earlier_silence as (

    select coalesce(max(gaps.gap_days), 0) as silence_days
    from gaps
    cross join widest_jump_into_the_last_lines
    where gaps.order_date <= widest_jump_into_the_last_lines.date_before

),

final as (

    select
        widest_jump_into_the_last_lines.order_date as first_apart_date,
        widest_jump_into_the_last_lines.latest_date,
        widest_jump_into_the_last_lines.date_before,
        widest_jump_into_the_last_lines.gap_days,
        longest_earlier_silence.silence_days as longest_earlier_gap_days,
        widest_jump_into_the_last_lines.lines_from_date as lines_apart,
        widest_jump_into_the_last_lines.line_count as purchase_lines,
        printf(
            '%s purchase line%s of %s dated %s stand%s %s days (%.1f years) after every other order (the latest of which is %s; no two earlier purchase dates are more than %s days apart): recency and tenure of every customer are measured from %s, the day after the latest order. Fix: correct the date in the orders input (a year typed wrong?), or set var as_of_date (e.g. --vars ''{as_of_date: %s}''; lines after it are then rejected).',
            format('{:,}', widest_jump_into_the_last_lines.lines_from_date),
            case when widest_jump_into_the_last_lines.lines_from_date = 1 then '' else 's' end,
            format('{:,}', widest_jump_into_the_last_lines.line_count),
            case
                when widest_jump_into_the_last_lines.order_date = widest_jump_into_the_last_lines.latest_date
                    then cast(widest_jump_into_the_last_lines.latest_date as varchar)
                else cast(widest_jump_into_the_last_lines.order_date as varchar)
                    || ' to ' || cast(widest_jump_into_the_last_lines.latest_date as varchar)
            end,
            case when widest_jump_into_the_last_lines.lines_from_date = 1 then 's' else '' end,
            format('{:,}', widest_jump_into_the_last_lines.gap_days),
            widest_jump_into_the_last_lines.gap_days / 365.25,
            cast(widest_jump_into_the_last_lines.date_before as varchar),
            format('{:,}', longest_earlier_silence.silence_days),
            cast(cast({{ dbt.dateadd('day', 1, 'widest_jump_into_the_last_lines.latest_date') }} as date) as varchar),
            cast(cast({{ dbt.dateadd('day', 1, 'widest_jump_into_the_last_lines.date_before') }} as date) as varchar)
        ) as finding
    from widest_jump_into_the_last_lines
    cross join longest_earlier_silence
    where widest_jump_into_the_last_lines.gap_days > {{ min_gap_days }}
        and widest_jump_into_the_last_lines.gap_days > {{ min_factor }} * longest_earlier_silence.silence_days
        {%- if setting('as_of_date') is not none %}
        and false  -- var as_of_date is set: the reference date does not come from the orders
        {%- endif %}

)

select * from final
{%- endset -%}
{{ health_report('latest_order_date_stands_apart', sql) }}
