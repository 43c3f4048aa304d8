{#- Console lines written while a long build runs (post-hooks, and one line from each base model
    as it compiles: how its input is read), so a user watching `dbt build` on a big base sees
    what each step did, not only START / OK. They render no SQL; the run summary at the end
    (macros/run_summary.sql) still has the full accounting. -#}

{% macro log_rows_read(kind) %}
    {#- After a base model: rows read from the input and how many were quarantined (and where).
        Usage: {{ config(post_hook="{{ log_rows_read('orders') }}") }} (after any hook that adds
        unreadable lines, so they are counted). -#}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set noun = 'order lines' if kind == 'orders' else kind -%}
    {%- if not has_input(kind) -%}
        {#- The compile-time line (log_input_reading) already said there is no such input. -#}
        {%- if kind == 'customers' -%}
            {%- set found = run_query("select count(*) as found from " ~ this).rows[0]['found'] -%}
            {%- do log(this.identifier ~ ": " ~ _thousands(found) ~ " customers found in the order lines", info=true) -%}
        {%- endif -%}
        {{ return('') }}
    {%- endif -%}
    {%- set row = run_query(
        "select count(*) as rows_read, count(rejection_reason) as rows_rejected from " ~ this).rows[0] -%}
    {%- do log(this.identifier ~ ": " ~ _thousands(row['rows_read']) ~ " " ~ noun ~ " read, "
        ~ _thousands(row['rows_rejected']) ~ " rejected"
        ~ (" (" ~ kind ~ "_rejected says why)" if row['rows_rejected'] > 0 else ""), info=true) -%}
    {{ return('') }}
{% endmacro %}

{% macro log_kmeans_refinement() %}
    {#- After int_segment_centroids_refined: how far the centres moved at each Lloyd step over
        everyone (scaled units), so a user can tell whether var kmeans_refine_steps was enough. -#}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set rows = run_query(
        "select iteration, max(centroid_shift) as largest_move, sum(member_count) / count(distinct feature_name) as customers"
        ~ " from " ~ this ~ " where iteration > 0 group by iteration order by iteration").rows -%}
    {%- if rows | length == 0 -%}{{ return('') }}{%- endif -%}
    {%- set moves = [] -%}
    {%- for row in rows -%}{%- do moves.append('%.4g' | format(row['largest_move'] | float)) -%}{%- endfor -%}
    {%- do log(this.identifier ~ ": K-Means refined over " ~ _thousands(rows[0]['customers']) ~ " customers in "
        ~ rows | length ~ " Lloyd steps; largest centre move per step (scaled units): " ~ moves | join(', '), info=true) -%}
    {{ return('') }}
{% endmacro %}

{% macro log_input_reading(kind, mapping, decimal, dates, float_ids=false, statuses=[], id_matches=none) %}
    {#- While a base model compiles: how its input is read (the file's shape, the columns mapped,
        the decimal separator, each date column's format and whether it was detected), so an
        automatic decision that is wrong for a file shows in the console, not only in the data.
        Nothing under compile or docs generate. Usage: {{ log_input_reading(...) }} in the model. -#}
    {%- if not execute or flags.WHICH not in ['build', 'run', 'retry'] -%}{{ return('') }}{%- endif -%}
    {%- set spec = input_kinds()[input_kind(kind)] -%}
    {%- if not has_input(kind) -%}
        {%- do log(this.identifier ~ ": no " ~ kind ~ " input; " ~ (
            "the customers are the distinct customer ids of the kept order lines" if kind == 'customers'
            else "customers only: the behaviour features are 0 or null"), info=true) -%}
        {{ return('') }}
    {%- endif -%}
    {%- if input_var_is_set(spec.relation_var) -%}
        {%- set source = "table " ~ var(spec.relation_var) -%}
    {%- elif input_var_is_set(spec.path_var) -%}
        {%- set plan = input_file_plan(kind) -%}
        {%- if plan.format == 'parquet' -%}
            {%- set source = plan.path ~ " (Parquet)" -%}
        {%- else -%}
            {%- set separator = 'runs of whitespace' if plan.mode == 'whitespace' else ('tab' if plan.delimiter == '\t' else quote_literal(plan.delimiter)) -%}
            {%- set source = plan.path ~ " (CSV: " ~ separator ~ " between columns, " ~ ('a header' if plan.header else 'no header')
                ~ ", " ~ encoding_label(plan) ~ ")" -%}
            {%- if plan.get('skip', 0) > 0 -%}
                {%- set source = source ~ ", below " ~ plan.skip ~ (" line" if plan.skip == 1 else " lines")
                    ~ ((" of preamble skipped (" ~ plan.preamble[:3] | map('truncate', 60) | join(' / ') ~ ")")
                       if plan.preamble else " left blank, skipped") -%}
            {%- endif -%}
        {%- endif -%}
    {%- else -%}
        {%- set source = "the demo seed " ~ spec.seed -%}
    {%- endif -%}
    {%- set parts = [this.identifier ~ ": reading " ~ source] -%}
    {%- set mapped = [] -%}
    {%- for name, column in mapping | dictsort -%}
        {%- if name != column -%}{%- do mapped.append(name ~ " <- " ~ column) -%}{%- endif -%}
    {%- endfor -%}
    {%- if mapped -%}{%- do parts.append("columns " ~ mapped | join(', ')) -%}{%- endif -%}
    {%- if kind == 'orders' and 'order_id' not in mapping -%}{%- do parts.append(no_order_id_note()) -%}{%- endif -%}
    {%- if float_ids -%}{%- do parts.append("customer ids written as floats (17850.0) read as whole numbers (17850)") -%}{%- endif -%}
    {%- if id_matches is not none -%}
        {%- do parts.append("customer ids matched to the customers' also " ~ id_matches.how ~ " (var customer_id_matching; first 100,000 lines: "
            ~ _thousands(id_matches.as_written) ~ " as written, " ~ _thousands(id_matches.matched_otherwise) ~ " only " ~ id_matches.how ~ ")") -%}
    {%- endif -%}
    {%- if decimal is not none -%}{%- do parts.append("decimal separator " ~ quote_literal(decimal)) -%}{%- endif -%}
    {%- for name, reading in dates | dictsort -%}
        {%- do parts.append(date_reading_label(name, reading)) -%}
    {%- endfor -%}
    {%- if statuses -%}
        {%- set shown = [] -%}
        {%- for status in statuses -%}
            {%- do shown.append(quote_literal(status.value) ~ " " ~ _thousands(status.lines) ~ (" (a return)" if status.cancels else "") ~ (" (no purchase: rejected)" if status.no_purchase else "")) -%}
        {%- endfor -%}
        {%- do parts.append("status (first 100,000 lines) " ~ shown | join(', ')) -%}
    {%- endif -%}
    {%- do log(parts | join('; '), info=true) -%}
    {#- A status that reads like a cancellation (`Partially Refunded`, `Retourniert`) but is not among
        var cancellation_values counts as a purchase: a warning, so the user decides. -#}
    {%- set unsure = [] -%}
    {%- set named = [] -%}
    {%- for status in statuses if status.reads_like_cancellation -%}
        {%- do unsure.append(quote_literal(status.value) ~ " " ~ _thousands(status.lines)) -%}
        {%- do named.append(status.value | tojson) -%}
    {%- endfor -%}
    {%- if unsure -%}
        {%- set kept = ((setting('cancellation_values') or [])[:2] | map('tojson') | list) + ['...'] -%}
        {%- do exceptions.warn(this.identifier ~ ": status values that read like a cancellation or refund count as purchases, "
            ~ "not being among var cancellation_values (first 100,000 lines: " ~ unsure | join(', ') ~ "). "
            ~ "Fix: if they mean no purchase, list them with the others: --vars '{cancellation_values: ["
            ~ (kept + named) | join(', ') ~ "]}' (the README lists the default words); if they are purchases "
            ~ "(a partial refund), nothing to do.") -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{% macro no_order_id_note() %}
    {#- An orders input without an order id column: what that means, as the console and
        check_input_file say it (a line-grain export whose `Order Number` went unmapped counted
        each line as an order: frequency and the order-total check were wrong, silently). -#}
    {{ return("no order id column: each line counts as an order (frequency counts lines); if lines of one order share a number, "
        ~ "name its column: --vars '{order_columns: {order_id: \"<column>\"}}'") }}
{% endmacro %}

{% macro date_reading_label(name, reading) %}
    {#- `order_date %d.%m.%Y (detected)`: how a date column is read (date_column_format), as the
        console and check_input_file show it. -#}
    {%- set how = {'typed': 'a typed column', 'configured': 'var date_formats', 'detected': 'detected'}[reading.how] -%}
    {%- set shown = {'iso': 'ISO yyyy-mm-dd', 'epoch': 'Unix time', 'excel': 'spreadsheet day numbers'}.get(reading.format, reading.format) -%}
    {{ return(name ~ " " ~ (shown if reading.how != 'typed' else shown | lower) ~ " (" ~ how ~ ")"
              ~ (", and ISO yyyy-mm-dd" if reads_iso_too(reading) else "")
              ~ (", the day in UTC" if reading.how == 'typed' and 'TIME ZONE' in reading.format else "")) }}
{% endmacro %}

{% macro currency_counts(currency) %}
    {#- `USD 24, JPY 12`: the currencies of the first 100,000 lines with their line counts
        (order_currency's found), as the console and check_input_file show them. -#}
    {%- set counts = [] -%}
    {%- for item in currency.found -%}{%- do counts.append(item.value ~ ' ' ~ _thousands(item.lines)) -%}{%- endfor -%}
    {{ return(counts | join(', ')) }}
{% endmacro %}

{% macro log_order_currency(model_name, currency) %}
    {#- The console line of an orders input with a currency column: which currency is kept, why,
        and what the first 100,000 lines hold, so a mixed file is in view before its lines are
        counted as rejected; or that var currency does nothing without such a column. Under build /
        run only. -#}
    {%- if execute and currency is not none and flags.WHICH in ['build', 'run', 'retry'] -%}
        {%- set counts = currency_counts(currency) -%}
        {%- set seen = ('; first 100,000 lines: ' ~ counts) if counts else '' -%}
        {%- if currency.by_var -%}
            {%- set why = 'set by var currency' -%}
        {%- else -%}
            {%- set why = 'the currency of most lines' -%}
        {%- endif -%}
        {%- set others = currency.found | rejectattr('value', 'equalto', currency.kept) | list -%}
        {%- if currency.found and others | length == currency.found | length -%}
            {%- set why = why ~ ', a currency none of the first 100,000 lines is in' -%}
        {%- endif -%}
        {%- set tail = '' -%}
        {%- if others -%}
            {%- set tail = ". Lines in any other currency are rejected (their amounts cannot be summed with these). Fix, to count them: convert their amounts to "
                ~ currency.kept ~ " before the build (a view as orders_relation), or build each currency on its own: --vars '{currency: " ~ others[0].value ~ "}'" -%}
        {%- endif -%}
        {%- set source = ("the currency signs of column " if currency.from_amount else "column ") ~ currency.column -%}
        {%- do log(model_name ~ ": amounts kept in " ~ currency.kept ~ " (" ~ source ~ ", " ~ why ~ seen ~ ")" ~ tail, info=true) -%}
    {%- elif execute and setting('currency') is not none and flags.WHICH in ['build', 'run', 'retry'] -%}
        {%- do log(model_name ~ ": var currency (" ~ setting('currency') ~ ") does nothing: the orders input has no currency column and its amounts name no currency, so every line counts. "
            ~ "Fix, if it has one under another name: --vars '{order_columns: {currency: \"<column>\"}}'", info=true) -%}
    {%- endif -%}
{% endmacro %}

{% macro log_order_total(model_name, order_total, from_lines) %}
    {#- The console line when the amount column repeats its order's total on every line
        (amount_is_order_total): what the line value is instead, and how to keep the column as
        it is. Under build / run only; not for a total filled down from an order's first line,
        which log_order_fields_filled names. -#}
    {%- if execute and order_total is not none and not order_total.get('filled_down') and flags.WHICH in ['build', 'run', 'retry'] -%}
        {%- set instead = "the line value is quantity x unit price instead" if from_lines
            else "each order's total is counted once, on its first kept line (its other lines are worth 0)" -%}
        {%- do log(model_name ~ ": the amount column " ~ order_total.column ~ " repeats its order's total on every line ("
            ~ _thousands(order_total.repeating) ~ " of the " ~ _thousands(order_total.orders)
            ~ " orders with several lines in the first 100,000 rows), so summing it would count each order once per line: "
            ~ instead ~ ". Fix, if it is a line amount after all: --vars '{order_columns: {amount: \"" ~ order_total.column ~ "\"}}'", info=true) -%}
    {%- endif -%}
{% endmacro %}

{% macro log_order_total_lines(model_name, total_lines) %}
    {#- The console line when one line of most orders is the sum of the others (order_total_lines):
        that line is worth 0. Under build / run only. -#}
    {%- if execute and total_lines is not none and flags.WHICH in ['build', 'run', 'retry'] -%}
        {%- do log(model_name ~ ": in " ~ _thousands(total_lines.with_total) ~ " of the " ~ _thousands(total_lines.orders)
            ~ " orders with three or more lines in the first 100,000 rows one line's amount (column " ~ total_lines.column
            ~ ") is the sum of the others: an order total or header line (as Lightspeed's Sale line above its Sale Lines), which summed with its item lines would count the order twice."
            ~ " In every order, the first line whose amount is the sum of the order's other lines is kept and worth 0 (in an order of two lines of one amount, the first);"
            ~ " leave such lines out of the export, or out of a view given as orders_relation, to count every line", info=true) -%}
    {%- endif -%}
{% endmacro %}

{% macro log_order_customer_fill(model_name, fill) %}
    {#- The console line when lines without a customer id share an order with lines that name one
        (order_customer_fill): how many took their order's customer, how many stay rejected
        because their order names two, or why none were filled (a line that is the order's
        total). Under build / run only. -#}
    {%- if execute and fill is not none and flags.WHICH in ['build', 'run', 'retry'] -%}
        {%- set conflict = (" Lines without one in orders whose lines name two or more customers stay rejected as missing customer_id (first 100,000 lines: "
            ~ _thousands(fill.conflict_lines) ~ " in " ~ _thousands(fill.conflict_orders) ~ ").")
            if fill.conflict_lines > 0 else "" -%}
        {%- if fill.fill -%}
            {%- do log(model_name ~ ": lines without a customer id take their order's customer where the order's other lines name one (column "
                ~ fill.column ~ " written on an order's first line only; first 100,000 lines: " ~ _thousands(fill.lines)
                ~ " lines in " ~ _thousands(fill.orders) ~ " orders took their order's customer)." ~ conflict, info=true) -%}
        {%- else -%}
            {%- do log(model_name ~ ": lines without a customer id are not given their order's customer (column " ~ fill.column
                ~ "; first 100,000 lines: " ~ _thousands(fill.lines) ~ " such lines in " ~ _thousands(fill.orders)
                ~ " orders that name one customer): in " ~ _thousands(fill.total_like) ~ " of " ~ _thousands(fill.candidates)
                ~ " of those orders with three or more lines one line's amount is the sum of the others, an order total or header line,"
                ~ " which would then count the order twice. They stay rejected as missing customer_id. Fix: leave the total lines out"
                ~ " of the export (or of a view given as orders_relation) and write the customer id on every line." ~ conflict, info=true) -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{% macro log_document_type(model_name, document_type) %}
    {#- The console line of an orders input with a document type column (document_type_reading):
        its name and what its values are read as (first 100,000 lines), and how to read it as an
        ordinary column. Under build / run only. -#}
    {%- if execute and document_type is not none and flags.WHICH in ['build', 'run', 'retry'] -%}
        {%- set shown = [] -%}
        {%- for item in document_type['values'] -%}
            {%- set how = {'credit': 'a credit: return', 'sale': 'a sale'}.get(item.reads_as, 'not a document word: a sale') -%}
            {%- do shown.append(quote_literal(item.value) ~ " " ~ _thousands(item.lines) ~ " (" ~ how ~ ")") -%}
        {%- endfor -%}
        {%- do log(model_name ~ ": column " ~ document_type.column ~ " is read as the document type (first 100,000 lines: "
            ~ shown | join(', ') ~ "): the lines of a credit note, credit memo, return or cancelled invoice are returns, as a cancelled status's are."
            ~ " Fix, if it means something else: --vars '{order_columns: {document_type: null}}'", info=true) -%}
    {%- endif -%}
{% endmacro %}
