{#- Every order input line, numbered and parsed, with the reasons it cannot be used (null when it
    can). Lines, not orders: many lines may share an order id. Parsing rules: macros/inputs/parsing.sql
    and the README ("Staging: parsing rules").
    Lines the CSV reader could not use (ragged, blank, bad bytes) are appended by the post-hook,
    with their raw text and the reason (macros/inputs/input_sources.sql). -#}
{{ config(post_hook=["{{ insert_unreadable_lines('orders') }}", "{{ log_rows_read('orders') }}"]) }}
{%- set standard_fields = ['order_id', 'customer_id', 'order_date', 'quantity', 'unit_price', 'amount', 'category', 'channel', 'refunded_amount', 'description', 'discount_amount', 'refunded_flag'] -%}
{%- set orders_present = has_input('orders') -%}
{%- set check_customers = has_input('customers') -%}
{#- var customer_id_matching: ignore_leading_zeros (`42` finds customer `0042`), ignore_case,
    digits_only (`CUST-42` finds customer `42`). -#}
{%- set id_matching = setting('customer_id_matching') if check_customers else 'exact' -%}
{%- set match_by_key = id_matching != 'exact' -%}
{#- Without a customers input the var applies to the lines' ids themselves: `Ann@Shop.com` and
    `ann@shop.com` are one customer under ignore_case (they were two, each with part of the
    spend), named by the first of its spellings in sort order. -#}
{%- set own_key = setting('customer_id_matching') if not check_customers else 'exact' -%}
{#- A guest checkout's id `0` (BigCommerce, WooCommerce) is no customer (guest_id_words). -#}
{%- set guest_ids = [] if check_customers else guest_id_words() -%}
{%- if execute and flags.WHICH in ['build', 'run', 'retry'] and own_key != 'exact' -%}
    {%- do log(this.identifier ~ ": var customer_id_matching (" ~ own_key
        ~ ") on an orders input without customers: the lines' ids that differ only that way are one customer, named by the first of its spellings in sort order", info=true) -%}
{%- endif -%}
{%- if orders_present -%}
    {%- set input = staging_input('orders') -%}
    {#- A report grouped by customer (QuickBooks' Sales by Customer Detail) has no customer column:
        the customer is the heading above each line (grouped_report, input_with_group_customer). -#}
    {%- set grouped_shape = grouped_report(input) -%}
    {%- set mapping = staging_column_mapping('orders', input, ['order_date'] if grouped_shape else ['customer_id', 'order_date']) -%}
    {#- An order's fields on its first line only (Odoo's export with its order lines): the lines
        below take them from the line above, in file order (order_fields_on_first_line). -#}
    {%- set first_line_fields = order_fields_on_first_line(input, mapping) -%}
    {%- set input = input_with_order_fields_filled(input, first_line_fields, mapping) -%}
    {#- PayPal's activity download: the buyer is in To on a refund (paypal_activity_input). -#}
    {%- set paypal = paypal_activity_input(input, mapping) -%}
    {%- set input = paypal.input -%}
    {%- set mapping = paypal.mapping -%}
    {%- set grouped = input_with_group_customer(input, grouped_shape, mapping) -%}
    {%- set input = grouped.input -%}
    {%- set mapping = grouped.mapping -%}
    {#- Orders keyed by email, customers by an id (Shopify's two exports: the orders' `Email`, the
        customers' `Customer ID` and `Email`): every line matched no customer. Such lines find
        their customer by the customers' email (orders_keyed_by_email). -#}
    {%- if check_customers and id_matching == 'exact' and orders_keyed_by_email(input.relation, mapping.get('customer_id'), ref('base_customers')) -%}
        {%- set id_matching = 'email' -%}
        {%- set match_by_key = true -%}
        {%- if execute and flags.WHICH in ['build', 'run', 'retry'] -%}
            {%- do log(this.identifier ~ ": the orders name their customers by email (" ~ mapping['customer_id']
                ~ "), the customers input by an id: each line finds its customer by the customers' email (trimmed, any case) and takes that customer's id", info=true) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if execute and 'amount' not in mapping and not ('quantity' in mapping and 'unit_price' in mapping) -%}
        {{ exceptions.raise_compiler_error(
            "The orders input has no amount column, and no quantity and unit price to compute one. Columns found: "
            ~ input.columns | join(', ') ~ ". Fix: --vars '{order_columns: {amount: \"<column>\"}}' or "
            ~ "--vars '{order_columns: {quantity: \"<column>\", unit_price: \"<column>\"}}'.") }}
    {%- endif -%}
    {#- An `Order Total` repeated on every line of its order: the line value from quantity x unit
        price when the input has them, else the total once per order (on its first line). -#}
    {%- set order_total = first_line_order_total(first_line_fields) or amount_is_order_total(input.relation, mapping) -%}
    {%- set order_total_once = order_total is not none and not ('quantity' in mapping and 'unit_price' in mapping) -%}
    {%- if order_total is not none and not order_total_once -%}
        {%- set line_mapping = {} -%}
        {%- for name, column in mapping.items() if name != 'amount' -%}{%- do line_mapping.update({name: column}) -%}{%- endfor -%}
        {%- set mapping = line_mapping -%}
    {%- endif -%}
    {%- set number_columns = number_source_columns('orders', input.columns, input.types, mapping) -%}
    {%- set decimal = decimal_separator_of('orders', input.relation, number_columns) -%}
    {%- set dates = {'order_date': date_column_format('order_date', input, mapping.get('order_date'))} -%}
    {%- set float_ids = ids_written_as_floats(input.relation, mapping.get('customer_id'), input.types.get(mapping.get('customer_id'), 'VARCHAR')) -%}
    {%- set placeholder_ids = placeholder_ids_found(input.relation, mapping.get('customer_id'), input.types.get(mapping.get('customer_id'), 'VARCHAR')) -%}
    {{ log_placeholder_ids(this.identifier, placeholder_ids) }}
    {%- set guest_ids = guest_ids + placeholder_ids -%}
    {%- set status_column = cancellation_source_column(mapping, input) -%}
    {#- Magento's `closed` (refunded) beside its `complete`: a cancellation too (closed_means_refunded). -#}
    {%- set extra_cancellations = ['closed'] if closed_means_refunded(input.relation, status_column) else [] -%}
    {%- if execute and extra_cancellations and flags.WHICH in ['build', 'run', 'retry'] -%}
        {%- do log(this.identifier ~ ": status " ~ status_column ~ " writes both complete and closed, as Magento does for a delivered and a refunded order: closed is read as a cancellation. If closed means finished in this file, set var cancellation_values to your list (without closed)", info=true) -%}
    {%- endif -%}
    {#- A document type beside the status (Xero's `Type`, SAP's `Billing Type`, `Belegart`): a
        credit note's lines are returns, as a cancelled status's are; mapped only when its values
        are document words (map_input_columns). A blank takes its order's, as the status does. -#}
    {%- set document_type = document_type_reading(input.relation, mapping['document_type']) if 'document_type' in mapping else none -%}
    {%- set fill_document_type = document_type is not none and 'order_id' in mapping and column_has_blanks(input.relation, document_type.column) -%}
    {#- A customer id on an order's first line only (some POS exports): a line without one
        takes its order's when the order's other lines name exactly one customer; only when the
        first 100,000 lines hold such a line, so a complete column costs no window. -#}
    {%- set customer_fill = order_customer_fill(input.relation, mapping, float_ids, guest_ids, input.types, decimal) -%}
    {#- A line that is its order's total beside the item lines (Lightspeed's `Sale` line): worth 0,
        so the order counts once; the window over the lines only when the first 100,000 rows hold
        such lines in most orders. -#}
    {%- set total_lines = order_total_lines(input.relation, mapping, input.types, decimal) if order_total is none else none -%}
    {%- set fill_customer = customer_fill is not none and customer_fill.fill -%}
    {%- set fill_channel = 'channel' in mapping and 'order_id' in mapping and column_has_blanks(input.relation, mapping.get('channel')) -%}
    {#- A currency column (`Currency`, ...): lines in another currency than the one kept are
        rejected; a blank takes its order's, as the status does. -#}
    {%- set currency = order_currency(input.relation, mapping) -%}
    {%- set fill_currency = currency is not none and not currency.from_amount and 'order_id' in mapping
        and column_has_blanks(input.relation, currency.column) -%}
    {#- The status values of the first 100,000 lines; those that read like a cancellation but are
        in neither list are named on their lines (status_reads_like_cancellation) for the WARN. -#}
    {%- set statuses = status_values(input.relation, status_column, extra_cancellations) -%}
    {%- set reads_like_cancellation = statuses | selectattr('reads_like_cancellation') | map(attribute='value') | list -%}
    {{ log_input_reading('orders', mapping, decimal if number_columns else none, dates, float_ids,
                         statuses,
                         customer_id_matches(input.relation, mapping.get('customer_id'), float_ids, ref('base_customers'), id_matching) if match_by_key and id_matching != 'email' else none) }}
    {{ log_order_currency(this.identifier, currency) }}
    {{ log_order_fields_filled(this.identifier, first_line_fields) }}
    {{ log_order_total(this.identifier, order_total, not order_total_once) }}
    {{ log_order_customer_fill(this.identifier, customer_fill) }}
    {{ log_order_total_lines(this.identifier, total_lines) }}
    {{ log_document_type(this.identifier, document_type) }}
    {%- set aliases = source_column_aliases(input) -%}
{%- else -%}
    {%- set mapping = {} -%}
    {%- set reads_like_cancellation = [] -%}
    {%- set fill_channel = false -%}
    {%- set fill_customer = false -%}
    {%- set document_type = none -%}
    {%- set currency = none -%}
    {%- set order_total_once = false -%}
    {%- set total_lines = none -%}
    {{ log_input_reading('orders', mapping, none, {}) }}
{%- endif -%}
{%- set fields = standard_field_expressions(standard_fields, ['quantity', 'unit_price', 'amount', 'refunded_amount', 'discount_amount'], mapping, aliases, input.types if orders_present else {}) -%}
{#- A refunded amount beside the order's value (Shopify's `Refunded Amount`): a partial refund, a
    return of that much of the order (int_customer_features); the column only when mapped. -#}
{%- set has_refunds = 'refunded_amount' in mapping -%}
{#- Etsy writes no refund, but an `Adjusted Order Total` after a partial refund: the refund is the
    order's total less it (adjusted_total_column). -#}
{%- set adjusted_total = adjusted_total_column(input.columns, mapping) if orders_present and not has_refunds else none -%}
{%- set has_refunds = has_refunds or adjusted_total is not none -%}
{%- if execute and has_refunds and flags.WHICH in ['build', 'run', 'retry'] -%}
    {%- do log(this.identifier ~ ": refunds from " ~ ("column " ~ mapping['refunded_amount'] if adjusted_total is none else mapping['amount'] ~ " less " ~ adjusted_total ~ " where it is filled")
        ~ " are returns of that much of their order (once per order; not for an order whose lines are returns already, as a refunded status makes them)", info=true) -%}
{%- endif -%}
{#- A line's description (`Description`, Odoo's `Order Lines/Product`): a negative line that names
    a discount (`[DISC] 10% Loyalty Discount`) is a discount of its order, not a return
    (int_customer_features nets it against the order); is_discount only when mapped. -#}
{%- set has_descriptions = 'description' in mapping -%}
{%- if execute and has_descriptions and flags.WHICH in ['build', 'run', 'retry'] -%}
    {%- do log(this.identifier ~ ": a line whose " ~ mapping['description'] ~ " names a discount ("
        ~ (discount_words().words + discount_words().compounds) | join(', ')
        ~ "), of negative value or on a cancelled order, is a discount: it lowers its order's value (or its refund) and is no return", info=true) -%}
{%- endif -%}
{%- set field = fields.field -%}
{%- set field_type = fields.type -%}
{%- set value_from_lines = 'amount' not in mapping -%}
{#- An order's discount beside item prices before it (Shopify's `Discount Amount`, on the order's
    first line): off the order's purchases (int_customer_features), only when the line value is
    quantity x unit price; an amount column is what was paid, after the discount. -#}
{%- set has_order_discounts = 'discount_amount' in mapping and value_from_lines -%}
{%- if execute and 'discount_amount' in mapping and flags.WHICH in ['build', 'run', 'retry'] -%}
    {%- if has_order_discounts -%}
        {%- do log(this.identifier ~ ": discounts from column " ~ mapping['discount_amount']
            ~ " come off their order's value (quantity x unit price is before them): once per order, the largest value its lines write", info=true) -%}
    {%- else -%}
        {%- do log(this.identifier ~ ": column " ~ mapping['discount_amount'] ~ " (an order's discount) is not read: the amount column "
            ~ mapping['amount'] ~ " is taken as what was paid, after discounts. If it is before them, map quantity and unit_price instead: --vars '{order_columns: {amount: null}}'", info=true) -%}
    {%- endif -%}
{%- endif -%}
{#- `keep` (a file with one line per unit and nothing that tells such lines apart): no duplicate
    check, and none of its reads. -#}
{%- set drop_repeated_lines = setting('duplicate_order_lines') == 'reject' -%}

with

{% if orders_present -%}
{#- A Parquet file numbers its own rows, so the duplicate checks below re-read only the columns
    they hash (columnar, cheap). Any other input (CSV, a table, several files) is read and numbered
    once, into a materialized copy that the checks scan: a CSV file is parsed once, not three times,
    and a row number from row_number() cannot differ between the reads. So is a Parquet file of
    fewer row groups than threads, which DuckDB would parse, check and write on as many threads as
    it has groups: 1M lines in one group, 1.2 -> 0.7 s; at 10M lines in 5 groups on 2 threads the
    copy saved no time and took 1 GB more memory. -#}
{%- set read_once = not reader_uses_every_thread(input) %}
source as {{ 'materialized ' if read_once }}(

    select
        {{ input.row_number }} as source_row_number,
        {%- if drop_repeated_lines %}
        {{ line_hash(input) }} as line_hash,
        {{ line_check_hash(input) }} as check_hash,
        {%- endif %}
        {{- select_source_columns(input) }}
    from {{ input.relation }}

),
{%- if drop_repeated_lines %}

repeated_hashes as (

    -- A line repeated in every column is a duplicate; lines that share only an order id are not.
    -- Found from a 64-bit hash of each line (for Parquet a second, narrow scan): first the hashes
    -- that repeat, by sorting the hashes and comparing each with the one before (at 10M lines
    -- twice as fast as grouping them, which builds a table of 10M groups) ...
    select distinct line_hash
    from (
        select
            line_hash,
            lag(line_hash) over (order by line_hash) as previous_hash
        from (
            -- Only the hash goes into the sort: a window straight over `source` buffered every
            -- column of the copy (10M CSV lines: peak memory 2.3 -> 3.9 GB).
            select {{ 'line_hash from source' if read_once else line_hash(input) ~ ' as line_hash from ' ~ input.relation }}
        ) as lines
    ) as sorted_hashes
    where line_hash = previous_hash

),

repeated_lines as (

    -- ... then, for the few lines with those hashes, a second independent hash confirms the repeat;
    -- the first line of each repeated set is kept.
    select
        line_hash,
        check_hash,
        min(source_row_number) as first_row_number
    {%- if read_once %}
    from source as lines
    {%- else %}
    from (
        select
            {{ input.row_number }} as source_row_number,
            {{ line_hash(input) }} as line_hash,
            {{ line_check_hash(input) }} as check_hash
        from {{ input.relation }}
    ) as lines
    {%- endif %}
    where line_hash in (select line_hash from repeated_hashes)
    group by line_hash, check_hash
    having count(*) > 1

),
{%- endif %}

{%- if check_customers %}

customers as (

    -- (never null on a kept row; said again because a null here would make the IN below unknown)
    select customer_id{{ ', email' if id_matching == 'email' }} from {{ ref('base_customers') }}
    where rejection_reason is null and customer_id is not null

),
{%- endif %}
{%- if match_by_key %}

customer_keys as (

    -- Each kept customer id as the var compares it (without its leading zeros, or in lower case),
    -- with the customer it names; none when it names several (`042` and `42`), so a line is not
    -- given to one of them by a guess.
    select
        {{ 'email' if id_matching == 'email' else customer_id_key('customer_id', id_matching) }} as id_key,
        case when count(*) = 1 then min(customer_id) end as customer_id,
        count(*) as customers
    from customers
    {%- if id_matching == 'email' %}
    where email is not null
    {%- endif %}
    group by id_key

),
{%- endif %}

parsed as (

    select
        source.*,
        {%- if 'order_id' in mapping %}
        {{ text_value(field.order_id) }} as order_id,
        {%- else %}
        -- No order id in the input: each line is an order, identified by its line number.
        cast(source_row_number as varchar) as order_id,
        {%- endif %}
        {%- if own_key != 'exact' %}
        {%- set written_id = id_value(field.customer_id, float_ids, guest_ids) %}
        {%- set id_key = customer_id_key(written_id, own_key) %}
        -- One customer per id as the var compares it, named by the first of its spellings in
        -- sort order (a window over the lines: only when the var is set).
        case when {{ id_key }} is null then {{ written_id }}
            else min({{ written_id }}) over (partition by {{ id_key }}) end as customer_id,
        {%- else %}
        {{ id_value(field.customer_id, float_ids, guest_ids) }} as customer_id,
        {%- endif %}
        {{ parse_date_column(field.order_date, dates.order_date) }} as order_date,
        {{ number_value(field.quantity, field_type.quantity, decimal) }} as quantity_number,
        {{ number_value(field.unit_price, field_type.unit_price, decimal) }} as unit_price_number,
        {{ number_value(field.amount, field_type.amount, decimal) }} as amount_number,
        {%- if adjusted_total %}
        {{ number_value(aliases[adjusted_total], input.types[adjusted_total], decimal) }} as adjusted_number,
        -- the order's total less its adjusted total: a refund when the adjusted total is lower
        greatest({{ number_value(field.amount, field_type.amount, decimal) }}
            - {{ number_value(aliases[adjusted_total], input.types[adjusted_total], decimal) }}, 0) as refunded_number,
        {%- elif has_refunds %}
        {{ number_value(field.refunded_amount, field_type.refunded_amount, decimal) }} as refunded_number,
        {%- endif %}
        {%- if has_order_discounts %}
        {{ number_value(field.discount_amount, field_type.discount_amount, decimal) }} as discount_number,
        {%- endif %}
        coalesce(lower({{ text_value(field.category) }}), 'unknown') as category,
        {%- if fill_channel %}
        -- A blank channel takes its order's (Shopify writes `Source` on an order's first line
        -- only); only when the column has blanks, so a complete column costs no window.
        coalesce(lower({{ text_value(field.channel) }}),
                 lower(max({{ text_value(field.channel) }}) over (partition by {{ text_value(field.order_id) if 'order_id' in mapping else 'source_row_number' }})),
                 'unknown') as channel
        {%- else %}
        coalesce(lower({{ text_value(field.channel) }}), 'unknown') as channel
        {%- endif %}
        {%- if currency %},
        {%- set currency_value = line_currency_sql(aliases.get(currency.column), currency.from_amount) %}
        {%- if fill_currency %}
        coalesce({{ currency_value }}, max({{ currency_value }}) over (partition by {{ text_value(field.order_id) }})) as line_currency
        {%- else %}
        {{ currency_value }} as line_currency
        {%- endif %}
        {%- endif %}
    from source

),
{%- if fill_customer %}

customer_filled as (

    -- A line without a customer id takes its order's when the order's lines that name one name
    -- exactly one (some POS exports write it on an order's first line only); an order
    -- naming two leaves such lines without one (rejected as missing customer_id).
    select
        * replace (coalesce(customer_id,
            case when order_id is not null
                    and min(customer_id) over (partition by order_id) = max(customer_id) over (partition by order_id)
                then max(customer_id) over (partition by order_id) end) as customer_id)
    from parsed

),
{%- endif %}

valued as (

    select
        *,
        {%- if value_from_lines %}
        -- No amount column: the line value is quantity x unit price.
        quantity_number * unit_price_number as line_value,
        {%- elif order_total_once %}
        -- The amount repeats its order's total on every line: counted once, on the first kept
        -- line (in `final`, once the reasons are known); here every line carries it, so each is
        -- checked as any amount is.
        amount_number as line_value,
        {%- else %}
        amount_number as line_value,
        {%- endif %}
        {%- if total_lines %}
        -- A line whose amount (not 0) is the sum of its order's other lines: the order's total
        -- (Lightspeed's `Sale` line); `final` makes the first such line of an order worth 0.
        coalesce(amount_number <> 0 and count(amount_number) over (partition by order_id) >= 2
            and abs(2 * amount_number - sum(amount_number) over (partition by order_id)) <= 0.011, false) as is_total_line,
        {%- endif %}
        {%- if status_column %}
        -- A line with a blank status takes its order's (a shop export writes the status on the
        -- first line of an order only, so the other lines of a refunded order would count as
        -- purchases); a line with its own status keeps it.
        {%- set status_value = text_value(aliases.get(status_column)) %}
        coalesce({{ status_value }}, max({{ status_value }}) over (partition by order_id)) as line_status,
        {{- document_type_value(document_type, aliases, fill_document_type) }}
        ({{ is_cancellation('order_id', 'line_status', extra_cancellations) }}{{ document_is_credit(document_type) }}{{ refunded_flag_is_set(field, mapping) }}) as is_cancellation,
        -- A failed payment, a draft, an unpaid invoice: no purchase and no return (rejected below).
        case when {{ is_non_purchase('line_status') }} then line_status end as non_purchase_status
        {%- else %}
        {{- document_type_value(document_type, aliases, fill_document_type) }}
        ({{ is_cancellation('order_id', none) }}{{ document_is_credit(document_type) }}{{ refunded_flag_is_set(field, mapping) }}) as is_cancellation,
        cast(null as varchar) as non_purchase_status
        {%- endif %}
        {%- if check_customers and read_once and not match_by_key %},
        -- Input read once (CSV, table): an IN list, so DuckDB builds its hash table from the
        -- customers. With the left join below it builds it from the lines when it cannot tell how
        -- many the input has: every line and its columns in memory (10M CSV lines: +1.2 GB, +3 s).
        -- Parquet keeps the join, about 1 s faster at 10M lines when the sizes are known.
        customer_id in (select customer_id from customers) as is_known_customer
        {%- endif %}
    from {{ 'customer_filled' if fill_customer else 'parsed' }}

),
{%- if match_by_key %}

matched as (

    -- A line's customer id names the customer written the same, or else the one whose id is the
    -- same compared the var's way; the line takes that customer's form of the id, so it joins
    -- the customer downstream and the exports carry the CRM's id.
    select
        valued.* replace (coalesce(customers.customer_id, customer_keys.customer_id, valued.customer_id) as customer_id),
        customers.customer_id is not null or customer_keys.customer_id is not null as is_known_customer,
        customers.customer_id is null and customer_keys.customers > 1 as is_ambiguous_customer
    from valued
    left join customers
        on valued.customer_id = customers.customer_id
    left join customer_keys
        on {{ customer_id_key('valued.customer_id', id_matching) }} = customer_keys.id_key

),
{%- endif %}

checked as (

    select
        valued.*,
        -- A header line repeated inside the file is no data, and a row that swallowed the lines
        -- after it (a quote not closed) is no row: that is their one reason.
        case
            when {{ is_header_line(input) }} then {{ header_line_reason() }}
            {%- if input.get('report_row') %}
            when {{ aliases[input.report_row] }} is not null then {{ aliases[input.report_row] }}
            {%- endif %}
            when {{ quote_not_closed(input, 'orders') }} then {{ quote_not_closed_reason() }}
            else nullif(concat_ws('; ',
            case when valued.non_purchase_status is not null
                then 'status ''' || valued.non_purchase_status || ''' is no purchase (var non_purchase_values)' end,
            case when valued.order_id is null then 'missing order_id' end,
            case when valued.customer_id is null then 'missing customer_id' end,
            {{ id_in_scientific_notation('valued.customer_id') }},
            case when {{ is_blank(field.order_date, field_type.order_date, 'valued.order_date') }} then 'missing order_date' end,
            {{ date_problem('order_date', field.order_date, 'valued.order_date', field_type.order_date) }},
            {%- if value_from_lines %}
            case when {{ is_blank(field.quantity, field_type.quantity, 'quantity_number') }} then 'missing quantity' end,
            case when {{ is_blank(field.unit_price, field_type.unit_price, 'unit_price_number') }} then 'missing unit_price' end,
            {%- else %}
            case when {{ is_blank(field.amount, field_type.amount, 'amount_number') }} then 'missing amount' end,
            {%- endif %}
            {{ number_problem('quantity', field.quantity, 'quantity_number', field_type.quantity) }},
            {{ number_problem('unit_price', field.unit_price, 'unit_price_number', field_type.unit_price) }},
            {{ number_problem('amount', field.amount, 'amount_number', field_type.amount) }},
            {%- if adjusted_total %}
            {{ number_problem(normalize_column_name(adjusted_total), aliases[adjusted_total], 'adjusted_number', input.types[adjusted_total]) }},
            {%- elif has_refunds %}
            {{ number_problem('refunded_amount', field.refunded_amount, 'refunded_number', field_type.refunded_amount) }},
            {%- endif %}
            {%- if has_order_discounts %}
            {{ number_problem('discount_amount', field.discount_amount, 'discount_number', field_type.discount_amount) }},
            {%- endif %}
            case when isfinite(quantity_number) and isfinite(unit_price_number) and not isfinite(line_value)
                then 'line value (quantity x unit_price) is not a finite number' end,
            {%- if currency %}
            case when line_currency <> {{ quote_literal(currency.kept) }} then {{ currency_reason('line_currency', currency.kept) }} end,
            {%- endif %}
            {%- if drop_repeated_lines %}
            case when repeated_lines.first_row_number is not null
                    and valued.source_row_number <> repeated_lines.first_row_number
                then 'duplicate line (every value equals an earlier line; the first is kept)' end
            {%- else %}
            cast(null as varchar)
            {%- endif %}
            {%- if match_by_key %},
            case when valued.customer_id is not null and not valued.is_known_customer
                then case when valued.is_ambiguous_customer
                    then {{ quote_literal(ambiguous_customer_reason(id_matching)) }}
                    else {{ quote_literal(unknown_customer_reason()) }} end end
            {%- elif check_customers %},
            case when valued.customer_id is not null
                    and not {{ 'valued.is_known_customer' if read_once else '(customers.customer_id is not null)' }}
                then {{ quote_literal(unknown_customer_reason()) }} end
            {%- endif %}
        ), '') end as rejection_reason
    from {{ 'matched' if match_by_key else 'valued' }} as valued
    {%- if drop_repeated_lines %}
    left join repeated_lines
        on valued.line_hash = repeated_lines.line_hash
        and valued.check_hash = repeated_lines.check_hash
    {%- endif %}
    {%- if check_customers and not read_once and not match_by_key %}
    left join customers
        on valued.customer_id = customers.customer_id
    {%- endif %}

),

final as (

    select
        cast(source_row_number as bigint) as source_row_number,
        order_id,
        customer_id,
        order_date,
        {{ finite_or_null('quantity_number') }} as quantity,
        {{ finite_or_null('unit_price_number') }} as unit_price,
        -- Returns keep their value as a positive magnitude; is_return says which they are.
        {%- if order_total_once %}
        -- The order's total on its first kept line only, the others of the order worth 0: when
        -- its first line is rejected (a 2099 date), the total moves to the next, so it is not
        -- lost from spend while the order's other lines stay kept. Rejected lines keep it.
        case when rejection_reason is null
                and source_row_number <> min(case when rejection_reason is null then source_row_number end)
                    over (partition by order_id)
            then 0 else abs({{ finite_or_null('line_value') }}) end as amount,
        {%- elif total_lines %}
        -- The order's total line is worth 0: its item lines hold the order's value.
        case when is_total_line
                and source_row_number = min(case when is_total_line then source_row_number end) over (partition by order_id)
            then 0 else abs({{ finite_or_null('line_value') }}) end as amount,
        {%- else %}
        abs({{ finite_or_null('line_value') }}) as amount,
        {%- endif %}
        {%- if has_descriptions %}
        -- A line that names a discount, negative or on a cancelled order (a credit note writes the
        -- discount it takes back as it likes), lowers its order's value: no return
        -- (int_customer_features nets it against the order's purchases, or against its refund
        -- when the order is returned).
        {#- The description read only on negative and cancelled lines: the words' regular expression
            over every line of 10M cost 5 s of CPU, over the 4% negative 0.4 s. -#}
        {%- set is_discount = 'coalesce(case when line_value < 0 or quantity_number < 0 or is_cancellation then '
            ~ names_a_discount(text_value(field.description)) ~ ' end, false)' %}
        coalesce(line_value < 0 or quantity_number < 0 or is_cancellation, false) and not {{ is_discount }} as is_return,
        {%- else %}
        coalesce(line_value < 0 or quantity_number < 0 or is_cancellation, false) as is_return,
        {%- endif %}
        category,
        channel,
        {%- if has_descriptions %}
        {{ is_discount }} as is_discount,
        {%- endif %}
        {%- if reads_like_cancellation %}
        -- a status that reads like a cancellation or refund but is in neither status list
        -- (`Partially Refunded`): the line counts as a purchase; the WARN
        -- status_reads_like_cancellation names such values
        case when line_status in ({{ quote_literals(reads_like_cancellation) }}) then line_status end as status_reads_like_cancellation,
        {%- endif %}
        {%- if has_refunds %}
        -- the order's refunded amount as written on this line (a positive magnitude; 0 and blank
        -- are null): int_customer_features counts it once per order, as a return
        nullif(abs({{ finite_or_null('refunded_number') }}), 0) as refunded_amount,
        {%- endif %}
        {%- if has_order_discounts %}
        -- the order's discount as written on this line (a positive magnitude; 0 and blank are
        -- null): int_customer_features takes it off the order's value once
        nullif(abs({{ finite_or_null('discount_number') }}), 0) as discount_amount,
        {%- endif %}
        -- Values as they arrived, on rejected lines only (building them for every line is slow).
        -- (raw_values: one JSON column, orders_rejected unpacks it; see raw_values_json).
        case when rejection_reason is not null
            then {{ raw_values_json(field, ['order_date', 'quantity', 'unit_price', 'amount'] + (['refunded_amount'] if has_refunds else []) + (['discount_amount'] if has_order_discounts else [])) }} end as raw_values,
        case when rejection_reason is not null then {{ raw_record_json(input) }} end as raw_record,
        rejection_reason
    from checked

)

{%- else -%}
final as (

    -- Customers-only input: no order lines, the same columns.
    select
        cast(null as bigint) as source_row_number,
        cast(null as varchar) as order_id,
        cast(null as varchar) as customer_id,
        cast(null as date) as order_date,
        cast(null as double) as quantity,
        cast(null as double) as unit_price,
        cast(null as double) as amount,
        cast(null as boolean) as is_return,
        cast(null as varchar) as category,
        cast(null as varchar) as channel,
        cast(null as varchar) as raw_values,
        cast(null as varchar) as raw_record,
        cast(null as varchar) as rejection_reason
    where false

)
{%- endif %}

select * from final
