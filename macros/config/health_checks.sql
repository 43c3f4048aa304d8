{#- SQL of the health tests in tests/health/ (one home; each test file is a config line and a
    call). A health test returns one row per thing a user must see, with counts and reasons in
    a `finding` column; dbt turns rows into WARN or ERROR by the test's severity. At run time the
    findings are also logged, so the reasons stand in the console next to dbt's WARN/FAIL line. -#}

{% macro health_report(name, sql) -%}
    {#- Returns `sql`; when dbt runs the test (build, test), logs each finding it returns. Not
        under compile or docs generate, which render tests too but must not query tables that
        may not exist yet. -#}
    {%- if execute and flags.WHICH in ['build', 'test', 'retry'] -%}
        {%- set found = run_query('select finding from (' ~ sql ~ ') as findings') -%}
        {%- for row in found.rows -%}
            {%- do log('health ' ~ name ~ ': ' ~ row[0], info=true) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(sql) -}}
{%- endmacro %}

{% macro rejected_share_check(input_name, base_model, kept_model, above_var, up_to_var=none) -%}
    {#- One row per top rejection reason (at most 5) when the share of `input_name` rows rejected
        in `base_model` (one row per input line, rejection_reason null when kept) is above var
        `above_var` (and at most var `up_to_var`, when given). Refs `kept_model` too, so dbt build
        holds everything downstream of the kept rows until this test passes, while the quarantine
        (customers_rejected, orders_rejected) still builds for inspection. -#}
    {%- set above = setting(above_var) -%}
    {%- set up_to = setting(up_to_var) if up_to_var else none -%}
    {%- set columns_var = 'customer_columns' if input_name == 'customer' else 'order_columns' -%}
    {%- set sql -%}
with

input_rows as (

    -- (a grouped report's headings and total rows are its frame, not lines: not in the share)
    select rejection_reason from {{ ref(base_model) }}
    where coalesce(rejection_reason not in ({{ quote_literals(report_row_reasons().values() | list) }}), true)

),

kept_rows as (

    select count(*) as rows_kept from {{ ref(kept_model) }}

),

totals as (

    select
        count(*) as rows_read,
        count(rejection_reason) as rows_rejected,
        count(rejection_reason) / nullif(count(*), 0) as rejected_share
    from input_rows

),

reasons as (

    select
        rejection_reason,
        count(*) as reason_rows,
        row_number() over (order by count(*) desc, rejection_reason) as reason_rank
    from input_rows
    where rejection_reason is not null
    group by rejection_reason

),
{%- set diagnose_ids = input_name == 'order' and has_input('customers') %}
{%- if diagnose_ids %}

unmatched_ids as (

    -- The order lines' customer ids that match no kept customer, when the share is over the
    -- limit (else the scan is one column of nulls): how many are rejected customers and how many
    -- are in no customer row at all, with examples from each file, so two exports whose ids
    -- differ (leading zeros, a prefix, an email against a number) say so.
    select
        count(*) filter (where not is_rejected_customer) as unknown_ids,
        count(*) filter (where is_rejected_customer) as rejected_ids,
        {%- for matching in customer_id_matchings() %}
        count(*) filter (where not is_rejected_customer and {{ 'matches_' ~ matching }}) as {{ 'ids_matching_' ~ matching }},
        {%- endfor %}
        string_agg('''' || customer_id || '''', ', ' order by customer_id) filter (where not is_rejected_customer and id_rank <= 3) as order_examples,
        (
            select string_agg('''' || customer_id || '''', ', ' order by customer_id)
            from (
                select customer_id from {{ ref('base_customers') }}
                where rejection_reason is null and customer_id is not null
                order by customer_id
                limit 3
            ) as kept
        ) as customer_examples
    from (
        select
            lines.customer_id,
            exists (
                select 1 from {{ ref('base_customers') }} as customers
                where customers.customer_id = lines.customer_id
            ) as is_rejected_customer,
            {%- for matching in customer_id_matchings() | sort %}
            -- `42` against a customer `0042`, `ann@shop.com` against `Ann@Shop.com`: the var
            -- customer_id_matching is the fix.
            exists (
                select 1 from {{ ref('base_customers') }} as customers
                where customers.rejection_reason is null
                    and {{ customer_id_key('customers.customer_id', matching) }} = {{ customer_id_key('lines.customer_id', matching) }}
            ) as {{ 'matches_' ~ matching }},
            {%- endfor %}
            row_number() over (order by lines.customer_id) as id_rank
        from (
            select distinct customer_id
            from {{ ref(base_model) }}
            where rejection_reason = {{ quote_literal(unknown_customer_reason()) }}
                and (select rejected_share from totals) > {{ above }}
        ) as lines
    ) as ids

),
{%- endif %}

final as (

    select
        {{ quote_literal(input_name) }} as input_name,
        totals.rows_read,
        totals.rows_rejected,
        kept_rows.rows_kept,
        round(totals.rejected_share, 4) as rejected_share,
        reasons.reason_rank,
        reasons.rejection_reason,
        reasons.reason_rows,
        printf(
            '%.1f%% of %s rows rejected (%d of %d; limit {{ above_var }} = %s); reason %d: %s (%d rows). %s',
            100 * totals.rejected_share, {{ quote_literal(input_name) }}, totals.rows_rejected, totals.rows_read,
            {{ quote_literal(above) }}, reasons.reason_rank, reasons.rejection_reason, reasons.reason_rows,
            -- The fix for the reason at hand: guest lines and repeated lines are no mapping error.
            case
                when reasons.rejection_reason = 'missing customer_id'
                        or starts_with(reasons.rejection_reason, 'missing customer_id; duplicate line')
                    then 'Lines without a customer id (guest orders) cannot be segmented. Fix: if the shop takes guest orders, that is expected: raise var {{ above_var }}; else map the id column (var {{ columns_var }}).'
                when starts_with(reasons.rejection_reason, 'duplicate line')
                    then 'Lines equal in every column are read once (an export saved twice, overlapping sheets). Fix: if the file writes one line per unit, keep the column that tells such lines apart (a line or item number such as order_item_id, or a quantity), or set var duplicate_order_lines: keep when there is none; else raise var {{ above_var }}.'
                when reasons.rejection_reason = 'duplicate customer_id (the first row with this id is kept)'
                    then 'The same customer id again: the first row is kept (a customers file with a row per order repeats each repeat buyer). Repeats that agree on consent and email keep the customer in the campaigns (customers_rejected.blocks_contact). Fix: one row per customer in the input, or raise var {{ above_var }}.'
                when reasons.rejection_reason like 'amount in %, not %, the currency kept (var currency)%'
                    then 'Lines in another currency than the one kept (the console names both, and the counts). Fix: convert their amounts before the build (a view as orders_relation), or build each currency on its own (var currency); raise var {{ above_var }} to keep the build as it is.'
                when reasons.rejection_reason like 'status ''%'' is no purchase (var non_purchase_values)%'
                    then 'Failed payments, drafts, unpaid invoices: no purchase and no return. Fix: nothing to do if so (raise var {{ above_var }}); if the status is a sale here, leave it out of var non_purchase_values.'
                when starts_with(reasons.rejection_reason, 'customer_id in scientific notation')
                    then 'Ids a spreadsheet rounded cannot be matched to anyone: raising the share would keep them. Fix: as the reason says.'
                when reasons.rejection_reason = {{ summary_row_reason() }}
                    then 'A report''s rows below its table (Total, Average, Median in the id column) are no customers. Fix: nothing to do (leave them out of the export to keep the share down).'
                when regexp_full_match(reasons.rejection_reason, '[a-z0-9_]+ is not a number')
                    then 'Values that are no numbers (' || {{ quote_literal(input_name ~ 's_rejected' if input_name == 'customer' else 'orders_rejected') }} || ' keeps them as they arrived). Fix: if the column holds words (Low / Average / High), it is not this standard column: leave it unmapped, var {{ columns_var }}: {' || split_part(reasons.rejection_reason, ' ', 1) || ': null}; if it holds numbers written another way: a decimal comma, set var decimal_separator; a unit or suffix staging does not read (`45%`, `34 years`, `15k`), strip it in a view given as ' || {{ quote_literal('customers_relation' if input_name == 'customer' else 'orders_relation') }} || '.'
                {%- if diagnose_ids %}
                when reasons.rejection_reason = {{ quote_literal(unknown_customer_reason()) }}
                    then printf('Lines whose customer id matches no kept customer: %s ids in no customer row%s%s. %s',
                        format('{:,}', unmatched_ids.unknown_ids),
                        case when unmatched_ids.order_examples is not null
                            then ' (orders: ' || unmatched_ids.order_examples || '; customers: ' || coalesce(unmatched_ids.customer_examples, 'none kept') || ')' else '' end,
                        case when unmatched_ids.rejected_ids > 0
                            then ', ' || format('{:,}', unmatched_ids.rejected_ids) || ' ids of rejected customers' else '' end,
                        case
                            {#- The narrowest way first (customer_id_matchings' order): an id that
                                differs only in leading zeros matches by its digits too. #}
                            {%- for matching, how in customer_id_matchings().items() %}
                            when unmatched_ids.{{ 'ids_matching_' ~ matching }} > 0
                                then format('{:,}', unmatched_ids.{{ 'ids_matching_' ~ matching }}) || ' of the ids in no customer row match a kept customer''s id {{ how.reason }}. Fix: set var customer_id_matching: {{ matching }}.'
                            {%- endfor %}
                            else 'Fix: both inputs must write the same ids (leading zeros, a prefix, an email in one and a number in the other): map the id column of each (vars customer_columns / order_columns: {customer_id: ...}) or make them match in a view (customers_relation / orders_relation); ids of rejected customers are in customers_rejected.' end)
                {%- for matching, how in customer_id_matchings() | dictsort %}
                when reasons.rejection_reason = {{ quote_literal(ambiguous_customer_reason(matching)) }}
                    then 'Lines whose customer id, compared {{ how.reason }} (var customer_id_matching), is the id of several customers and of none as the line writes it ({{ how.example | replace("'", "''") }}): not given to one of them by a guess. Fix: write the lines'' ids as the customers input does, or make the customers'' ids distinct that way.'
                {%- endfor %}
                {%- endif %}
                when starts_with(reasons.rejection_reason, 'missing order_id; missing customer_id; missing order_date')
                    then 'Lines with no order id, customer or date of their own: an export that writes an order''s fields on its first line only (Odoo''s with its order lines) has them below each order''s first line, filled from the line above only when the first 100,000 lines hold enough of them (the console says so); else lines the export broke. Fix: write the order''s fields on every line (or fill them down in a view given as orders_relation), or leave such lines out; else raise var {{ above_var }}.'
                when reasons.rejection_reason like '%is not a date%'
                    then 'Dates the column''s format cannot read (the console names the format). Fix: correct those lines, or set var date_formats.'
                else 'Fix: see {{ base_model }} where rejection_reason is not null (a wrong column mapping rejects most rows: var {{ columns_var }}), or raise var {{ above_var }}.'
            end
        ) as finding
    from totals
    cross join kept_rows
    {%- if diagnose_ids %}
    cross join unmatched_ids
    {%- endif %}
    inner join reasons
        on reasons.reason_rank <= 5
    where totals.rejected_share > {{ above }}
    {%- if up_to is not none %}
        and totals.rejected_share <= {{ up_to }}
    {%- endif %}

)

select * from final
    {%- endset -%}
    {{- return(health_report(input_name ~ '_rows_rejected_over_' ~ above_var, sql)) -}}
{%- endmacro %}

{% macro unrecognised_values_check(column, message, quoted=true, model='base_customers') -%}
    {#- The SQL of a health test naming the five most frequent values of `model`.`column` (a value
        as it arrived that no known spelling reads, or that is outside its bounds) among kept
        customers, with their counts. `model` is base_customers (its kept rows) or a model of
        valid customers only (int_customer_features). `message` is a printf pattern with %s for
        the value (in quotes unless `quoted` is false) and %s for the count. -#}
with

customers as (

    select * from {{ ref(model) }}

),

unrecognised as (

    select
        {{ column }} as raw_value,
        count(*) as customers,
        row_number() over (order by count(*) desc, {{ column }}) as value_rank
    from customers
    where {{ column }} is not null
        {%- if model == 'base_customers' %}
        and rejection_reason is null
        {%- endif %}
    group by {{ column }}

),

final as (

    select
        raw_value as {{ column }},
        customers,
        printf({{ quote_literal(message) }}, {{ "'''' || raw_value || ''''" if quoted else 'raw_value' }}, format('{:,}', customers)) as finding
    from unrecognised
    where value_rank <= 5

)

select * from final
{%- endmacro %}

{% macro selected_candidate_features(candidates='segmentation_candidates') -%}
    {#- One row per feature (feature_name) the selected candidate clustered on: the feature health
        tests (feature_dropped, feature_mostly_imputed, outlier_fence_clips_many) read it. -#}
    select unnest(string_split(features, ',')) as feature_name
    from {{ candidates }}
    where is_selected
{%- endmacro %}
