{#- Numbers written as text: which character is the decimal point (`1.081,53` in a German export,
    `1,081.53` in an American one), decided once per input, and the text of each value in DuckDB's
    spelling. README, "Staging: parsing rules", Numbers. -#}

{% macro number_source_columns(kind, columns, types, mapping) %}
    {#- The text columns of an input that staging reads as numbers, {column: mapped?}: the mapped
        quantity, unit_price and amount of orders; the mapped age, incomes and spending score of
        customers (true), and their unmapped columns (false: candidates for extra numeric columns). -#}
    {%- set numeric_fields = ['quantity', 'unit_price', 'amount', 'refunded_amount', 'discount_amount'] if kind == 'orders'
        else ['age', 'annual_income_k', 'income', 'spending_score'] -%}
    {%- set chosen = {} -%}
    {%- for column in columns -%}
        {%- set mapped_to = [] -%}
        {%- for name, source in mapping.items() -%}{%- if source == column -%}{%- do mapped_to.append(name) -%}{%- endif -%}{%- endfor -%}
        {%- set is_number = (mapped_to | select('in', numeric_fields) | list | length > 0)
            or (kind == 'customers' and mapped_to | length == 0) -%}
        {%- if is_number and (types[column] | string | upper) == 'VARCHAR' -%}{%- do chosen.update({column: mapped_to | length > 0}) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(chosen) }}
{% endmacro %}

{% macro decimal_separator_of(kind, relation, columns) %}
    {#- ',' or '.': the decimal point of the numbers in `columns` ({text column: mapped?}, from
        number_source_columns) of `relation`. The decimal_separator var when it is set; else the
        first 100,000 rows decide, counting the mapped columns and the unmapped ones whose values
        all (99%) look like numbers: a value only one reading allows settles
        it (`31,8`, `1.081,53`, `0,5` -> ','; `12.5`, `1,081.53`, `0.5` -> '.'), the more frequent
        wins when both occur (values of the other kind are then rejected as not numbers). Values
        that read either way (`1,250`, `52.000`: one separator, three digits) with nothing to
        settle them stop the build with samples and the fix: guessing would be silently wrong by
        a factor of 1,000. -#}
    {%- set configured = setting('decimal_separator') -%}
    {%- if configured in ['.', ','] -%}{{ return(configured) }}{%- endif -%}
    {%- if not execute or columns | length == 0 -%}{{ return('.') }}{%- endif -%}
    {%- set number_like -%}[-+]?([0-9][0-9.,]*|[.,][0-9]+)([eE][-+]?[0-9]+)?{%- endset -%}
    {%- set comma_only -%}[-+]?([0-9]{1,3}([.][0-9]{3})+,[0-9]+|[0-9]*,([0-9]{1,2}|[0-9]{4,})|([0-9]{4,}|0),[0-9]+|[0-9]{1,3}([.][0-9]{3}){2,}){%- endset -%}
    {%- set point_only -%}[-+]?([0-9]{1,3}(,[0-9]{3})+[.][0-9]+|[0-9]*[.]([0-9]{1,2}|[0-9]{4,})|([0-9]{4,}|0)[.][0-9]+|[0-9]{1,3}(,[0-9]{3}){2,}){%- endset -%}
    {%- set either_way -%}[-+]?[1-9][0-9]{0,2}[.,][0-9]{3}{%- endset -%}
    {%- set counts = [] -%}
    {%- for column in columns -%}
        {%- set value = plain_number_text(text_value(quote_identifier(column))) -%}
        {%- for pattern in [none, number_like, comma_only, point_only, either_way] -%}
            {%- if pattern is none -%}
                {%- do counts.append("count(" ~ value ~ ")") -%}
            {%- else -%}
                {%- do counts.append("count(*) filter (where regexp_full_match(" ~ value ~ ", " ~ quote_literal(pattern) ~ "))") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set row = run_query("select " ~ counts | join(', ') ~ " from " ~ first_rows(relation)).rows[0] -%}
    {%- set totals = {'comma': 0, 'point': 0, 'either': 0} -%}
    {%- set undecided = [] -%}
    {%- for column in columns -%}
        {%- set at = loop.index0 * 5 -%}
        {%- if row[at] > 0 and (columns[column] or row[at + 1] >= 0.99 * row[at]) -%}
            {%- do totals.update({'comma': totals.comma + row[at + 2], 'point': totals.point + row[at + 3],
                                  'either': totals.either + row[at + 4]}) -%}
            {%- if row[at + 4] > 0 -%}{%- do undecided.append(column) -%}{%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if totals.comma > totals.point -%}{{ return(',') }}{%- endif -%}
    {%- if totals.point > 0 or totals.either == 0 -%}{{ return('.') }}{%- endif -%}
    {%- set value = plain_number_text(text_value(quote_identifier(undecided[0]))) -%}
    {%- set samples = run_query("select distinct " ~ value ~ " as v from " ~ first_rows(relation)
        ~ " where regexp_full_match(" ~ value ~ ", " ~ quote_literal(either_way) ~ ") order by v limit 3").columns[0].values() | list -%}
    {%- set sample = samples[0] -%}
    {%- set separator = '.' if '.' in sample else ',' -%}
    {%- set other = ',' if separator == '.' else '.' -%}
    {{ exceptions.raise_compiler_error(
        "The " ~ kind ~ " input has numbers that read two ways: values such as " ~ samples | join(', ')
        ~ " (column " ~ undecided | join(', ') ~ ") have one separator followed by three digits, a thousands "
        ~ "separator or a decimal point, and no value in the first 100,000 rows settles which. Fix: --vars "
        ~ "'{decimal_separator: \"" ~ other ~ "\"}' if " ~ sample ~ " means " ~ sample | replace(separator, '')
        ~ ", or --vars '{decimal_separator: \"" ~ separator ~ "\"}' if it means " ~ sample | replace(separator, '.')
        ~ " (three decimals).") }}
{% endmacro %}

{% macro number_text(text, decimal) -%}
    {#- `text` (trimmed, non-empty or null) in DuckDB's spelling of a number, or null when its
        separators do not fit `decimal`. Grouping is taken only in groups of three digits:
        with '.', `1,081.53` -> 1081.53 and `31,8` -> null; with ',', `1.081,53` -> 1081.53,
        `31,8` -> 31.8 and `12.5` -> null. Values without the other separator pass as they are. -#}
    {%- if decimal == ',' -%}
        case
            when not contains({{ text }}, '.') then replace({{ text }}, ',', '.')
            when regexp_full_match({{ text }}, '[-+]?[0-9]{1,3}([.][0-9]{3})+(,[0-9]*)?')
                then replace(replace({{ text }}, '.', ''), ',', '.')
        end
    {%- else -%}
        case
            when not contains({{ text }}, ',') then {{ text }}
            when regexp_full_match({{ text }}, '[-+]?[0-9]{1,3}(,[0-9]{3})+([.][0-9]*)?')
                then replace({{ text }}, ',', '')
        end
    {%- endif -%}
{%- endmacro %}

{% macro currency_codes() %}
    {#- ISO 4217 codes plain_number_text strips beside a number (upper case only, so a word such as
        `eur` in a text column is never read as money). -#}
    {{ return(['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'INR', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK',
               'PLN', 'CZK', 'HUF', 'BRL', 'MXN', 'CNY', 'HKD', 'SGD', 'ZAR', 'TRY', 'KRW']) }}
{% endmacro %}

{% macro plain_number_text(text) -%}
    {#- `text` without a currency sign ($ EUR GBP JPY INR signs and the local ones below, before or after, `-$12.50` keeps its
        minus) or an upper-case ISO code of a common currency (`EUR 12,50`, `12.50 USD`,
        `CHF 1'081.50`: a finance export writes the code, and every such cell was "not a number"), with an accountant's parentheses as a minus (`(1,081.53)`, `($12.50)`), a trailing
        minus as a minus (`12,50-`, as SAP and other ERP exports write a credit), and without
        spaces, no-break spaces or apostrophes between groups of three digits (`1 081,53`,
        `1'081.53`): the spellings spreadsheets export. Anything else is unchanged.
        number_value applies it only to the cells that do not read as they are; the decimal
        detection to every sampled value. -#}
    {#- The Unicode minus sign (U+2212, as Nordic .NET exports and typeset reports write
        `−7.00`) is a minus. -#}
    {%- set signed -%}
        regexp_replace(replace({{ text }}, '−', '-'), '^\(\s*([^()-]*?)\s*\)$', '-\1')
    {%- endset -%}
    {#- Local signs written after (or before) the number: `1 234,50 kr` (SEK, NOK, DKK; `kr.`),
        `zł` (PLN), `Kč` (CZK), `Ft` (HUF), `lei` (RON), `₪` (ILS), `₺` (TRY), `₽` / `руб.` (RUB),
        `₴` (UAH), `R$` (BRL), `₩` (KRW), `฿` (THB): every such cell was "not a number". -#}
    {%- set local_signs = "R\\$|kr\\.?|zł|Kč|Ft|lei|руб\\.?|[₪₺₽₴₩฿]" -%}
    {%- set currency = "(?:" ~ local_signs ~ "|[$\\x{20AC}\\x{00A3}\\x{00A5}\\x{20B9}]|" ~ currency_codes() | join('|') ~ ")" -%}
    {%- set strip -%}
        regexp_replace({{ signed }}, '^([-+]?)\s*{{ currency }}\s*|\s*{{ currency }}$', '\1')
    {%- endset -%}
    {%- set minus_first -%}
        regexp_replace({{ strip }}, '^([0-9][0-9.,\x{00A0}\x{202F}'' ]*?)\s*-$', '-\1')
    {%- endset -%}
    case
        when regexp_full_match({{ minus_first }}, '[-+]?[0-9]{1,3}([ \x{00A0}\x{202F}''][0-9]{3})+([.,][0-9]*)?')
            then regexp_replace({{ minus_first }}, '[ \x{00A0}\x{202F}'']', '', 'g')
        else {{ minus_first }}
    end
{%- endmacro %}
