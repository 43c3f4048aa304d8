{#- One row per valid customer. Fixed columns whatever the input: every stg_customers column,
    is_female, purchase behaviour and returns from the order lines (0 / null without orders),
    share_<category> per category found, then the derived_features of the var. Missing values stay
    null here; the scaling step imputes them and counts them in feature_scaling.
    Purchases are order lines that are not returns and have a positive amount; returns never count
    as purchases (README: "Purchases and returns"). Sums over lines are exact (exact_sum), so a
    fresh build gives bit-identical monetary, avg_order_value, return_amount and shares. -#}
{%- set categories = order_categories() -%}
{%- set channels = order_channels_known() -%}
{%- set line_columns = order_line_columns() -%}
{%- set customer_columns = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(ref('stg_customers')) -%}
        {#- The raw-row struct is bookkeeping; it must not leak into the features. -#}
        {%- if column.name not in ['source_row', 'raw_record'] -%}{%- do customer_columns.append(column.name) -%}{%- endif -%}
    {%- endfor -%}
{%- endif -%}
{#- A valid YYYY-MM-DD or none: checked by the var schema (validate_vars / setting). -#}
{%- set as_of_date = setting('as_of_date') -%}
{#- 64-bit decimals for the sums when every line is below 1e12 (always, for real money). -#}
{%- set sum_width = exact_sum_width(ref('stg_orders'), 'amount') -%}

{%- set feature_ctes -%}
customers as (

    select * from {{ ref('stg_customers') }}

),

orders as (

    select * from {{ ref('stg_orders') }}

),

order_lines as (

    select
        customer_id,
        order_id,
        order_date,
        -- exact_sum works in DECIMAL(18, 6) or (38, 6) (sum_width): a line beyond 1e26 cannot be
        -- real money.
        case
            when abs(amount) < 1e26 then cast(amount as double)
            else error('order line ' || coalesce(cast(order_id as varchar), '?') || ' of customer ' || coalesce(cast(customer_id as varchar), '?') || ' has amount '
                || cast(amount as varchar) || ', beyond 1e26. Fix: correct or remove the line in the orders input.')
        end as amount,
        category,
        channel,
        {%- if 'refunded_amount' in line_columns %}
        refunded_amount,
        {%- endif %}
        {%- if 'is_discount' in line_columns %}
        is_discount,
        {%- else %}
        false as is_discount,
        {%- endif %}
        {%- if 'discount_amount' in line_columns %}
        discount_amount,
        {%- endif %}
        {%- if 'is_return' in line_columns %}
        coalesce(is_return, false) as is_return
        {%- else %}
        -- This staging layer has no returns yet (amounts are >= 0): every line is a sale.
        false as is_return
        {%- endif %}
    from orders

),

purchase_lines as (

    select
        *,
        {{ exact_amount('amount', sum_width) }} as exact_amount
    from order_lines
    where not is_return and amount > 0 and not is_discount

),

return_lines as (

    select customer_id, order_id, amount from order_lines
    where is_return
    {%- if 'refunded_amount' in line_columns %}
    union all
    -- A refund beside a kept order (Shopify's `Refunded Amount`, on the order's first line): a
    -- return of that much, once per order (the largest value its lines write), unless the order
    -- has return lines already (a refunded status made every line a return).
    select customer_id, order_id, max(refunded_amount) as amount
    from order_lines
    group by customer_id, order_id
    having max(refunded_amount) > 0 and not bool_or(is_return)
    {%- endif %}

),

{%- set has_discounts = 'is_discount' in line_columns or 'discount_amount' in line_columns %}
{%- if has_discounts %}
{%- set discounted = [] %}
{%- if 'is_discount' in line_columns %}{% do discounted.append('is_discount') %}{% endif %}
{%- if 'discount_amount' in line_columns %}{% do discounted.append('discount_amount > 0') %}{% endif %}

discounted_orders as (

    -- A discount line (`[DISC] 10% Loyalty Discount -45`) and an order's discount column
    -- (Shopify's `Discount Amount`, on its first line: once per order, the largest value its lines
    -- write) lower the order's value: off its purchases, or off its refund when the order's lines
    -- are all returns (a refunded order). Only the orders with a discount are read twice.
    select
        customer_id,
        order_id,
        {%- if 'is_discount' in line_columns %}
        coalesce({{ exact_sum('case when is_discount then amount end', sum_width) }}, 0)
        {%- else %}
        0
        {%- endif %}
        {%- if 'discount_amount' in line_columns %} + coalesce(max(discount_amount), 0){% endif %} as discount,
        bool_or(is_return) and not bool_or(not is_return and not is_discount and amount > 0) as is_returned
    from order_lines
    where order_id in (select order_id from order_lines where {{ discounted | join(' or ') }})
    group by customer_id, order_id

),

discounts as (

    select
        customer_id,
        coalesce(sum(discount) filter (where not is_returned), 0) as purchase_discount,
        coalesce(sum(discount) filter (where is_returned), 0) as return_discount
    from discounted_orders
    group by customer_id

),
{%- endif %}

reference_date as (
    {% if as_of_date is not none %}
    select cast({{ quote_literal(as_of_date) }} as date) as as_of_date
    {%- else %}
    -- The day after the last purchase in the data, so reruns on the same data are stable.
    select cast({{ dbt.dateadd('day', 1, 'max(order_date)') }} as date) as as_of_date from purchase_lines
    {%- endif %}

),

purchases as (

    select
        customer_id,
        min(order_date) as first_purchase_date,
        max(order_date) as last_purchase_date,
        count(distinct order_id) as frequency,
        cast(sum(exact_amount) as double) as monetary,
        {%- for category in categories %}
        {%- set literals = [] -%}
        {%- for value in category['values'] -%}{%- do literals.append(quote_literal(value)) -%}{%- endfor %}
        {{ exact_sum_where('exact_amount', 'category in (' ~ literals | join(', ') ~ ')') }} as {{ quote_identifier(category['column'] ~ '_amount') }},
        {%- endfor %}
        {{ exact_sum_where('exact_amount', is_online_channel('channel')) }} as online_amount
        {%- if channels == 'some' %},
        -- Some lines without a channel: the share is of the value whose channel is known.
        {{ exact_sum_where('exact_amount', "channel <> 'unknown'") }} as known_channel_amount
        {%- endif %}
    from purchase_lines
    group by customer_id

),

returns as (

    select
        customer_id,
        count(distinct order_id) as return_count,
        {{ exact_sum('amount', sum_width) }} as return_amount
    from return_lines
    group by customer_id

),

features as (

    {#- Net of discounts when the input has them: spend less its discounts, refunds less the
        discounts of the returned orders. Shares stay of the gross purchase value, the same as
        spreading each discount over its order's lines. -#}
    {%- if has_discounts %}
    {%- set net_monetary = 'greatest(purchases.monetary - coalesce(discounts.purchase_discount, 0), 0)' %}
    {%- set net_returns = 'greatest(returns.return_amount - coalesce(discounts.return_discount, 0), 0)' %}
    {%- else %}
    {%- set net_monetary = 'purchases.monetary' %}
    {%- set net_returns = 'returns.return_amount' %}
    {%- endif %}
    select
        {%- for column in customer_columns %}
        customers.{{ quote_identifier(column) }},
        {%- endfor %}
        cast(case customers.gender when 'Female' then 1 when 'Male' then 0 end as integer) as is_female,
        cast({{ dbt.datediff('purchases.last_purchase_date', 'reference_date.as_of_date', 'day') }} as integer) as recency_days,
        cast(coalesce(purchases.frequency, 0) as integer) as frequency,
        cast(coalesce({{ net_monetary }}, 0) as double) as monetary,
        cast({{ net_monetary }} / nullif(purchases.frequency, 0) as double) as avg_order_value,
        cast({{ dbt.datediff('coalesce(customers.signup_date, purchases.first_purchase_date)', 'reference_date.as_of_date', 'day') }} as integer) as tenure_days,
        cast(coalesce(returns.return_count, 0) as integer) as return_count,
        cast(coalesce({{ net_returns }}, 0) as double) as return_amount,
        cast(coalesce({{ net_returns }}, 0) / nullif({{ net_monetary }}, 0) as double) as return_rate,
        {%- if channels == 'none' %}
        -- No line names its channel (no channel column): unknown, not "all in store".
        cast(null as double) as online_share,
        {%- else %}
        cast(purchases.online_amount / nullif(purchases.{{ 'known_channel_amount' if channels == 'some' else 'monetary' }}, 0) as double) as online_share,
        {%- endif %}
        {%- for category in categories %}
        cast(purchases.{{ quote_identifier(category['column'] ~ '_amount') }} / nullif(purchases.monetary, 0) as double)
            as {{ quote_identifier(category['column']) }},
        {%- endfor %}
        -- A derived feature's value outside its standard column's bounds, as text (`age = 121`);
        -- the feature reads it as missing (derived_feature_select). Null without such features.
        cast(null as varchar) as derived_out_of_range
    from customers
    cross join reference_date
    left join purchases
        on customers.customer_id = purchases.customer_id
    left join returns
        on customers.customer_id = returns.customer_id
    {%- if has_discounts %}
    left join discounts
        on customers.customer_id = discounts.customer_id
    {%- endif %}

)
{%- endset -%}

{%- set derived = validated_derived_features("with " ~ feature_ctes ~ " select * from features") -%}
{%- set columns = namespace(names=[]) -%}
{%- if derived | length > 0 -%}
    {%- for column in described_query_columns("with " ~ feature_ctes ~ " select * from features") -%}
        {%- do columns.names.append(column.name) -%}
    {%- endfor -%}
{%- endif %}

with

{{ feature_ctes }},

{#- One step per derived feature, so a feature can use the ones defined before it. -#}
{%- set previous = namespace(step='features') %}
{%- for feature in derived %}

derived_{{ loop.index }} as (

    -- derived feature {{ feature.name }}
    {{ derived_feature_select(columns.names, feature, previous.step, previous.step) }}

),
{%- set previous.step = 'derived_' ~ loop.index -%}
{%- if not feature.replaces -%}{%- do columns.names.append(feature.name) -%}{%- endif -%}
{%- endfor %}

final as (

    select * from {{ previous.step }}

)

select * from final
