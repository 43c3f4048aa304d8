{#- Exports recognised by their shape, beside the synonyms of column_mapping.sql: what a header
    alone cannot say (a price that is the line's total; an order's fields on its first line only).
    Header text is only compared here; it reaches SQL through quote_identifier / quote_literal. -#}

{% macro amazon_orders_preset(kind, by_normalized) %}
    {#- Amazon Seller Central's order reports (the "All Orders" report: tab-separated,
        `amazon-order-id`, `quantity`, `item-price`, `order-status`, `buyer-email` when the report
        has it): `item-price` is the line's total (the price of all its units, without tax and
        shipping), not a unit price. Unmapped, the build stopped asking for an amount or a
        quantity and a unit price, and a user who named item-price as the unit price counted every
        line of two or more units that many times over. Recognised by `amazon-order-id` beside
        `item-price`: amount <- item-price (the line's value, whatever else is mapped). {} for any
        other input; var order_columns overrides. -#}
    {%- set preset = {} -%}
    {%- if (kind | string) == 'orders' and 'amazon_order_id' in by_normalized and 'item_price' in by_normalized -%}
        {%- set column = by_normalized['item_price'] -%}
        {%- do preset.update({'amount': column}) -%}
        {%- if execute -%}
            {%- do log(kind ~ ": an Amazon orders report (amazon-order-id, item-price): amount <- " ~ column
                ~ ", the line's total (all its units), not a unit price; var order_columns overrides", info=true) -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(preset) }}
{% endmacro %}

{% macro order_fields_on_first_line(input, mapping) %}
    {#- An export that writes an order's fields on its first line only, as Odoo's sales export
        with its order lines (`Order Reference`, `Customer`, `Order Date`, `Total` on the first
        line; the next lines of the order blank there, with only `Order Lines/Product`,
        `/Quantity`, `/Unit Price`, `/Subtotal`): those lines were rejected as "missing order_id;
        missing customer_id; missing order_date", and spend was right only when the order's
        `Total` was the amount. In the first 100,000 lines, in file order: continuation lines are
        those with no order id, customer or date of their own and at least two other cells filled
        (item fields), below a line with an order id. Taken only when there are at least 3 in at
        least 2 orders, at least 1% of the lines, and 90% or more of the lines without an order id
        (a file whose few lines without an order id have a customer or a date of their own keeps
        rejecting them). The amount is the order's when it is blank on 90% or more of them (a
        `Total`): filled down too, and counted once per order (base_orders, order_total). Returns
        none, or {lines, orders, blank_id_lines, columns: [the filled columns], amount: the amount
        column when it is the order's, else none, row: a column name for the line number}. -#}
    {%- if not execute or 'order_id' not in mapping or 'customer_id' not in mapping or 'order_date' not in mapping -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set key_columns = [mapping['order_id'], mapping['customer_id'], mapping['order_date']] -%}
    {%- if input.columns | length < 5 or key_columns | unique | list | length < 3 -%}{{ return(none) }}{%- endif -%}
    {%- set row = unused_column_name(input.columns, '__order_line_number') -%}
    {%- set amount = mapping.get('amount') -%}
    {#- A cheap count first: most files have no such line, and the window below sorts the lines. -#}
    {%- set found = run_query("select count(*) from " ~ first_rows(input.relation) ~ " where "
        ~ continuation_line_sql(input, mapping)).rows[0][0] -%}
    {%- if found < 3 -%}{{ return(none) }}{%- endif -%}
    {%- set counts = run_query(
        "with lines as (select " ~ quote_identifier(row) ~ " as n, "
        ~ text_value(quote_identifier(mapping['order_id'])) ~ " as order_id, "
        ~ continuation_line_sql(input, mapping) ~ " as continues, "
        ~ (text_value(quote_identifier(amount)) if amount else "cast(null as varchar)") ~ " as amount"
        ~ " from (select " ~ input.row_number ~ " as " ~ quote_identifier(row) ~ ", * from " ~ first_rows(input.relation) ~ ")),"
        ~ " ordered as (select *, count(order_id) over (order by n rows between unbounded preceding and current row) as order_number from lines)"
        ~ " select count(*) filter (where continues and order_number > 0),"
        ~ " count(distinct order_number) filter (where continues and order_number > 0),"
        ~ " count(*) filter (where order_id is null and order_number > 0),"
        ~ " count(*) filter (where continues and order_number > 0 and amount is null),"
        ~ " count(*) from ordered").rows[0] -%}
    {%- if not (counts[0] >= 3 and counts[1] >= 2 and counts[0] >= 0.01 * counts[4] and counts[0] >= 0.9 * counts[2]) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set order_amount = amount if amount and counts[3] >= 0.9 * counts[0] else none -%}
    {{ return({'lines': counts[0], 'orders': counts[1], 'blank_id_lines': counts[2], 'amount': order_amount,
               'from_lines': 'quantity' in mapping and 'unit_price' in mapping,
               'columns': key_columns + ([order_amount] if order_amount else []), 'row': row}) }}
{% endmacro %}

{% macro continuation_line_sql(input, mapping) -%}
    {#- SQL, true on a line with no order id, customer or date of its own and at least two other
        cells filled (order_fields_on_first_line). -#}
    {%- set key_columns = [mapping['order_id'], mapping['customer_id'], mapping['order_date']] -%}
    {%- set others = [] -%}
    {%- for column in input.columns if column not in key_columns -%}
        {%- do others.append("(" ~ text_value(quote_identifier(column)) ~ " is not null)::int") -%}
    {%- endfor -%}
    ({%- for column in key_columns %}{{ text_value(quote_identifier(column)) }} is null and {% endfor -%}
     ({{ others | join(' + ') }}) >= 2)
{%- endmacro %}

{% macro unused_column_name(columns, name) %}
    {#- `name`, with underscores added until no input column has it. -#}
    {%- set chosen = namespace(name=name) -%}
    {%- for _ in range(columns | length + 1) if chosen.name in columns -%}
        {%- set chosen.name = chosen.name ~ '_' -%}
    {%- endfor -%}
    {{ return(chosen.name) }}
{% endmacro %}

{% macro input_with_order_fields_filled(input, fields, mapping) %}
    {#- `input` (staging_input) as it reads with an order's fields filled down: on each
        continuation line (continuation_line_sql), the columns of fields.columns take the values
        of the nearest line above that has an order id, in file order. The line number is the one
        the input had (input.row_number), kept in a column of its own, so every read of the
        relation (compile-time checks, source, duplicates) numbers the lines the same way. The
        input unchanged when fields is none. -#}
    {%- if fields is none -%}{{ return(input) }}{%- endif -%}
    {%- set row = quote_identifier(fields.row) -%}
    {%- set order_id = text_value(quote_identifier(mapping['order_id'])) -%}
    {%- set filled = [] -%}
    {%- for column in fields.columns -%}
        {%- do filled.append("case when " ~ continuation_line_sql(input, mapping)
            ~ " then (last_value(case when " ~ order_id ~ " is not null then struct_pack(v := " ~ quote_identifier(column) ~ ") end ignore nulls)"
            ~ " over (order by " ~ row ~ " rows between unbounded preceding and current row)).v else " ~ quote_identifier(column)
            ~ " end as " ~ quote_identifier(column)) -%}
    {%- endfor -%}
    {%- set relation = "(select * replace (" ~ filled | join(', ') ~ ") from (select " ~ input.row_number ~ " as " ~ row
        ~ ", * from " ~ input.relation ~ "))" -%}
    {%- set result = {} -%}
    {%- do result.update(input) -%}
    {%- do result.update({'relation': relation, 'row_number': row, 'reader_numbers_rows': false}) -%}
    {{ return(result) }}
{% endmacro %}

{% macro log_order_fields_filled(model_name, fields) %}
    {#- The console line when an order's fields are filled down (order_fields_on_first_line).
        Under build / run only. -#}
    {%- if execute and fields is not none and flags.WHICH in ['build', 'run', 'retry'] -%}
        {%- set amount = "" if not fields.amount else (" (" ~ fields.amount ~ " is the order's total: the line value is quantity x unit price instead)"
            if fields.from_lines else " (and " ~ fields.amount ~ ", the order's total, counted once per order)") -%}
        {%- do log(model_name ~ ": an order's fields are written on its first line only (as Odoo's export with its order lines):"
            ~ " a line with no order id, customer or date but item fields takes " ~ fields.columns[:2] | join(', ') ~ " and " ~ fields.columns[2] ~ amount
            ~ " from the nearest line above that has an order id (first 100,000 lines: " ~ _thousands(fields.lines) ~ " lines in "
            ~ _thousands(fields.orders) ~ " orders). Other lines without an order id (a customer or a date of their own, or one cell) stay rejected (first 100,000 lines: "
            ~ _thousands(fields.blank_id_lines - fields.lines) ~ ")", info=true) -%}
    {%- endif -%}
{% endmacro %}

{% macro first_line_order_total(fields) %}
    {#- The amount column as the order's total (as amount_is_order_total returns it) when it is
        written on an order's first line only and filled down (order_fields_on_first_line): each
        order counts once, whoever named the column. Else none. -#}
    {%- if fields is none or not fields.amount -%}{{ return(none) }}{%- endif -%}
    {{ return({'column': fields.amount, 'orders': fields.orders, 'repeating': fields.orders, 'filled_down': true}) }}
{% endmacro %}

{% macro paypal_activity_headers(by_normalized) %}
    {#- Whether the input is PayPal's "Activity download" (`Gross`, `Net`, `From Email Address`,
        `To Email Address`, `Type`): a line per money movement of the merchant's account. -#}
    {{ return(['gross', 'net', 'from_email_address', 'to_email_address', 'type'] | select('in', by_normalized) | list | length == 5) }}
{% endmacro %}

{% macro paypal_activity_preset(kind, by_normalized) %}
    {#- PayPal's Activity download: order_id <- Transaction ID, amount <- Gross (negative on a
        refund or a chargeback: a return), status <- Type (`Express Checkout Payment`, `Payment
        Refund` a return, `General Withdrawal` no sale: cancellation_values and non_purchase_values
        hold PayPal's types), customer_id <- From Email
        Address, which paypal_activity_input makes the buyer's on every line: on a refund or a
        chargeback PayPal writes the merchant in From and the buyer in To, so the merchant was the
        customer holding every refund (and every bank withdrawal), and the buyers had none. {} for
        any other input; var order_columns overrides. -#}
    {%- set preset = {} -%}
    {%- if (kind | string) == 'orders' and paypal_activity_headers(by_normalized) -%}
        {%- do preset.update({'customer_id': by_normalized['from_email_address'], 'amount': by_normalized['gross'],
                              'status': by_normalized['type']}) -%}
        {%- if 'transaction_id' in by_normalized -%}{%- do preset.update({'order_id': by_normalized['transaction_id']}) -%}{%- endif -%}
        {%- if execute -%}
            {%- do log(kind ~ ": a PayPal activity download (Gross, From / To Email Address, Type): customer_id <- the buyer ("
                ~ by_normalized['from_email_address'] ~ " on a payment, " ~ by_normalized['to_email_address'] ~ " on a refund or chargeback), amount <- "
                ~ by_normalized['gross'] ~ ", status <- " ~ by_normalized['type'] ~ " (payments are purchases, refunds and chargebacks returns,"
                ~ " withdrawals, conversions, holds and transfers no sale); var order_columns overrides", info=true) -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(preset) }}
{% endmacro %}

{% macro paypal_activity_input(input, mapping) %}
    {#- `input` (staging_input) as base_orders reads a PayPal activity download (the preset mapped
        its columns), with one column more, the buyer: To Email Address on a line that takes money
        out (`Balance Impact` Debit, or a negative Gross without that column: a refund, a
        chargeback), From Email Address otherwise, and the status: `Type`, or `Status` where it is
        not `Completed`. The customer and the status are those columns (the mapping is moved to
        them); the file's own columns stay as they arrived (raw_record). The
        line number is the input's, kept in a column of its own. The input unchanged for any other
        file, or when var order_columns names the customer. Returns {input, mapping}. -#}
    {%- set unchanged = {'input': input, 'mapping': mapping} -%}
    {%- if not execute or (setting('order_columns') or {}).get('customer_id') -%}{{ return(unchanged) }}{%- endif -%}
    {%- set by_normalized = {} -%}
    {%- for column in input.columns -%}{%- do by_normalized.setdefault(normalize_column_name(column), column) -%}{%- endfor -%}
    {%- if not paypal_activity_headers(by_normalized) or mapping.get('customer_id') != by_normalized['from_email_address'] -%}
        {{ return(unchanged) }}
    {%- endif -%}
    {%- if 'balance_impact' in by_normalized -%}
        {%- set money_out = "lower(" ~ text_value(quote_identifier(by_normalized['balance_impact'])) ~ ") = 'debit'" -%}
    {%- else -%}
        {%- set money_out = "starts_with(" ~ text_value(quote_identifier(by_normalized['gross'])) ~ ", '-')" -%}
    {%- endif -%}
    {%- set row = unused_column_name(input.columns, '__paypal_line_number') -%}
    {%- set buyer_column = unused_column_name(input.columns, 'paypal_buyer_email') -%}
    {%- set buyer = "case when coalesce(" ~ money_out ~ ", false) then " ~ quote_identifier(by_normalized['to_email_address'])
        ~ " else " ~ quote_identifier(by_normalized['from_email_address']) ~ " end as " ~ quote_identifier(buyer_column) -%}
    {#- The status: PayPal's `Status` where the money did not move as written (`Pending`, `Denied`,
        `Reversed`: no purchase, or a return, by the status lists), its `Type` once `Completed`. -#}
    {%- set status_column = unused_column_name(input.columns, 'paypal_status') -%}
    {%- set type_status = quote_identifier(mapping['status']) if mapping.get('status') else 'cast(null as varchar)' -%}
    {%- if 'status' in by_normalized and mapping.get('status') == by_normalized['type'] -%}
        {%- set written = text_value(quote_identifier(by_normalized['status'])) -%}
        {%- set status = "case when " ~ written ~ " is null or lower(" ~ written ~ ") = 'completed' then " ~ type_status
            ~ " else " ~ written ~ " end as " ~ quote_identifier(status_column) -%}
    {%- else -%}
        {%- set status = type_status ~ " as " ~ quote_identifier(status_column) -%}
    {%- endif -%}
    {%- set relation = "(select *, " ~ buyer ~ ", " ~ status ~ " from (select " ~ input.row_number ~ " as "
        ~ quote_identifier(row) ~ ", * from " ~ input.relation ~ "))" -%}
    {%- set types = {} -%}
    {%- do types.update(input.types) -%}
    {%- do types.update({buyer_column: 'VARCHAR', status_column: 'VARCHAR'}) -%}
    {%- set result = {} -%}
    {%- do result.update(input) -%}
    {%- do result.update({'relation': relation, 'row_number': quote_identifier(row), 'reader_numbers_rows': false,
                          'columns': input.columns + [buyer_column, status_column], 'types': types}) -%}
    {%- set moved = {} -%}
    {%- do moved.update(mapping) -%}
    {%- do moved.update({'customer_id': buyer_column, 'status': status_column}) -%}
    {{ return({'input': result, 'mapping': moved}) }}
{% endmacro %}

{% macro grouped_report(input) %}
    {#- A report grouped by customer, as QuickBooks' "Sales by Customer Detail" is: the customer's
        name on a row of its own in the first column (every other cell blank), its lines below
        with that column blank, a `Total for <customer>` row after them and a `TOTAL` row at the
        end. Read as a table, no column held the customer: the build stopped asking for one (and,
        mapped to the first column, rejected every line). Taken when, in the first 100,000 lines,
        the first column is blank on at least half the lines and holds at least 2 such headings
        and at least 2 `Total for` rows (input_with_group_customer then checks that the mapping
        leaves the first column and the customer to it). Returns none, or {column (the first),
        headings, totals, lines}. -#}
    {%- if not execute or input.columns | length < 4 -%}{{ return(none) }}{%- endif -%}
    {%- set first = input.columns[0] -%}
    {%- set label = text_value(quote_identifier(first)) -%}
    {%- set others = [] -%}
    {%- for column in input.columns[1:] -%}{%- do others.append(text_value(quote_identifier(column)) ~ " is null") -%}{%- endfor -%}
    {%- set row = run_query("select count(*) filter (where " ~ label ~ " is not null and " ~ others | join(' and ') ~ "),"
        ~ " count(*) filter (where starts_with(lower(" ~ label ~ "), 'total for ')),"
        ~ " count(*) filter (where " ~ label ~ " is null), count(*) from " ~ first_rows(input.relation)).rows[0] -%}
    {%- if row[0] >= 2 and row[1] >= 2 and row[2] >= 0.5 * row[3] -%}
        {{ return({'column': first, 'headings': row[0], 'totals': row[1], 'lines': row[2]}) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}

{% macro input_with_group_customer(input, grouped, mapping) %}
    {#- `input` with two columns more when it is a grouped report (grouped_report): the customer,
        the heading above each line (`report_customer`), and why a heading or a total row is no
        order line (`report_row`: null on the lines); customer_id is mapped to the first. The
        file's own columns stay as they arrived. Returns {input, mapping}. -#}
    {%- if grouped is none or mapping.get('customer_id') not in [none, grouped.column]
          or (grouped.column in mapping.values() and mapping.get('customer_id') != grouped.column) -%}
        {{ return({'input': input, 'mapping': mapping}) }}
    {%- endif -%}
    {%- set label = text_value(quote_identifier(grouped.column)) -%}
    {%- set others = [] -%}
    {%- for column in input.columns[1:] -%}{%- do others.append(text_value(quote_identifier(column)) ~ " is null") -%}{%- endfor -%}
    {%- set heading = "(" ~ label ~ " is not null and " ~ others | join(' and ') ~ ")" -%}
    {%- set row = unused_column_name(input.columns, '__report_line_number') -%}
    {%- set customer = unused_column_name(input.columns, 'report_customer') -%}
    {%- set reason = unused_column_name(input.columns, 'report_row') -%}
    {%- set relation = "(select *, case when " ~ label ~ " is null then (last_value(case when " ~ heading ~ " then " ~ label
        ~ " end ignore nulls) over (order by " ~ quote_identifier(row) ~ " rows between unbounded preceding and current row)) end as " ~ quote_identifier(customer) ~ ","
        ~ " case when " ~ heading ~ " then " ~ quote_literal(report_row_reasons().heading)
        ~ " when " ~ label ~ " is not null then " ~ quote_literal(report_row_reasons().total) ~ " end as " ~ quote_identifier(reason)
        ~ " from (select " ~ input.row_number ~ " as " ~ quote_identifier(row) ~ ", * from " ~ input.relation ~ "))" -%}
    {%- set types = {} -%}
    {%- do types.update(input.types) -%}
    {%- do types.update({customer: 'VARCHAR', reason: 'VARCHAR'}) -%}
    {%- set result = {} -%}
    {%- do result.update(input) -%}
    {%- do result.update({'relation': relation, 'row_number': quote_identifier(row), 'reader_numbers_rows': false,
                          'columns': input.columns + [customer, reason], 'types': types, 'report_row': reason}) -%}
    {%- set moved = {} -%}
    {%- do moved.update(mapping) -%}
    {%- do moved.update({'customer_id': customer}) -%}
    {%- if execute and flags.WHICH in ['build', 'run', 'retry'] -%}
        {%- do log("base_orders: a report grouped by customer (as QuickBooks' Sales by Customer Detail): each line's customer is the heading above it in column "
            ~ grouped.column ~ " (first 100,000 lines: " ~ _thousands(grouped.headings) ~ " headings, " ~ _thousands(grouped.lines)
            ~ " lines); the headings and the Total rows are rejected as no order lines", info=true) -%}
    {%- endif -%}
    {{ return({'input': result, 'mapping': moved}) }}
{% endmacro %}

{% macro report_row_reasons() %}
    {#- The rejection reasons of a grouped report's headings and total rows (input_with_group_customer):
        the report's frame, not lines; the rejected-share health tests leave them out of the share. -#}
    {{ return({'heading': 'a heading of a report grouped by customer (its name is the customer of the lines below)',
               'total': 'a total or footer row of a report grouped by customer (its lines are counted, not it)'}) }}
{% endmacro %}
