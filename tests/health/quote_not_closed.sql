{#- ERROR: a quote in an input file that is not closed where it should be (a stray " in a product
    name or a note) made the CSV reader take the lines after it into one row: never closed, the
    rest of the file became one unreadable line; closed lines later, the rows in between became
    part of one field. Either way those rows were never read as rows, so the counts of rows read,
    kept and rejected are wrong, whatever share they are. dbt build stops before the features;
    customers_rejected / orders_rejected still build and hold the row's text. -#}
{{ config(severity='error') }}
-- depends_on: {{ ref('stg_customers') }}
-- depends_on: {{ ref('stg_orders') }}
{% set inputs = {'customers': 'base_customers', 'orders': 'base_orders'} -%}
{%- set sql -%}
with

swallowing_rows as (
    {%- for kind, model in inputs.items() %}

    select
        {{ quote_literal(kind) }} as input,
        source_row_number,
        -- An unreadable line's raw_record is {"line_number", "text"}; any other row's, its fields.
        coalesce(
            'line ' || json_extract_string(raw_record, '$.line_number'),
            'row ' || source_row_number
        ) || ', which begins "' || left(split_part(coalesce(
            json_extract_string(raw_record, '$.text'),
            array_to_string(list_transform(json_keys(raw_record), lambda k: json_extract_string(raw_record, '$."' || k || '"')), ',')
        ), chr(10), 1), 80) || '"' as place,
        -- Line breaks in the row's JSON text (written \n there); DuckDB keeps at most 10,000
        -- characters of an unreadable line, so a longer run is counted up to that.
        (strlen(raw_record) - strlen(replace(raw_record, '\n', ''))) // 2 as lines_taken,
        strlen(coalesce(json_extract_string(raw_record, '$.text'), '')) >= 10000 as cut_short
    from {{ ref(model) }}
    where rejection_reason = {{ quote_not_closed_reason() }}
        or (rejection_reason = 'unreadable line: a quote that is not closed' and contains(raw_record, '\n'))
    {{- '\n\n    union all\n' if not loop.last }}
    {%- endfor %}

),

final as (

    select
        input,
        source_row_number,
        lines_taken,
        printf(
            '%s file: a quote opened at %s is not closed where it should be, so the reader took the %s line(s) after it into that row: rows on those lines were not read as rows. Fix: close or remove the stray quote in that line of the file (var %s_path), then build again; %s_rejected holds the text.',
            input, place, lines_taken || case when cut_short then ' or more' else '' end, input, input
        ) as finding
    from swallowing_rows

)

select * from final
{%- endset -%}
{{ health_report('quote_not_closed', sql) }}
