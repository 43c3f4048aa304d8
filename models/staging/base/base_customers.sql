{#- Every customer input row, numbered and parsed, with the reasons it cannot be used (null when it
    can). stg_customers keeps the good rows, customers_rejected the rest. Parsing rules:
    macros/inputs/parsing.sql and the README ("Staging: parsing rules").
    Lines the CSV reader could not use (ragged, blank, bad bytes) are appended by the post-hook,
    with their raw text and the reason (macros/inputs/input_sources.sql). -#}
{{ config(post_hook=["{{ insert_unreadable_lines('customers') }}", "{{ log_rows_read('customers') }}",
                      "{{ log_birthdays_without_year() }}"]) }}
{%- set standard_fields = ['customer_id', 'gender', 'age', 'annual_income_k', 'income', 'spending_score',
                           'signup_date', 'email', 'marketing_opt_in', 'marketing_opt_out', 'birth_date',
                           'sms_opt_in', 'sms_opt_out'] -%}
{#- customers_rejected shows these and compares a duplicate's consents (opt-in and opt-out columns)
    with its kept row's (blocks_contact) -#}
{%- set raw_customer_fields = ['gender', 'age', 'annual_income_k', 'income', 'spending_score', 'signup_date',
                               'marketing_opt_in', 'marketing_opt_out', 'sms_opt_in', 'sms_opt_out'] -%}
{#- and, as `<key>_also`, the further columns of a consent read from several (consent_column_keys) -#}
{%- if has_input('customers') -%}
    {%- set input = staging_input('customers') -%}
    {%- set mapping = staging_column_mapping('customers', input, ['customer_id']) -%}
    {%- set number_columns = number_source_columns('customers', input.columns, input.types, mapping) -%}
    {%- set decimal = decimal_separator_of('customers', input.relation, number_columns) -%}
    {%- set extras = numeric_extra_columns(input, mapping, decimal) -%}
    {%- set text_extras = identifier_extra_columns(input, mapping) -%}
    {%- set m_means = gender_letters(input.relation, mapping.get('gender'), input.types.get(mapping.get('gender'), 'VARCHAR')) -%}
    {%- set float_ids = ids_written_as_floats(input.relation, mapping.get('customer_id'), input.types.get(mapping.get('customer_id'), 'VARCHAR')) -%}
    {%- set placeholder_ids = placeholder_ids_found(input.relation, mapping.get('customer_id'), input.types.get(mapping.get('customer_id'), 'VARCHAR')) -%}
    {{ log_placeholder_ids(this.identifier, placeholder_ids) }}
    {#- A report's footer rows (`Average`, `Total` in the id column) are rejected where the ids
        are ids (C0001, 17850, an email), not user names that may be `Max`. -#}
    {%- set summary_rows = execute and id_like_values(input.relation, mapping['customer_id'], summary_row_words()).looks_like_ids -%}
{%- else -%}
    {#- Orders-only input: the customers are the distinct ids of the kept order lines. -#}
    {%- set input = {
        'relation': "(select distinct customer_id from " ~ ref('base_orders')
            ~ " where rejection_reason is null and customer_id is not null)",
        'columns': ['customer_id'],
        'types': {'customer_id': 'VARCHAR'},
        'row_number': 'row_number() over (order by customer_id)',
    } -%}
    {%- set mapping = {'customer_id': 'customer_id'} -%}
    {%- set number_columns = {} -%}
    {%- set decimal = '.' -%}
    {%- set m_means = 'male' -%}
    {%- set float_ids = false -%}
    {%- set placeholder_ids = [] -%}
    {%- set summary_rows = false -%}
    {%- set extras = [] -%}
    {%- set text_extras = [] -%}
{%- endif -%}
{%- set sms_basis = sms_consent_basis(mapping) -%}
{#- A consent read from more than one column (marketing_opt_in_2, ...: map_input_columns) -#}
{%- set consent_extra_keys = [] -%}
{%- for key in consent_keys() -%}{%- do consent_extra_keys.extend(consent_column_keys(mapping, key)[1:]) -%}{%- endfor -%}
{%- set dates = {} -%}
{%- for name in ['signup_date', 'birth_date'] if name in mapping -%}
    {%- do dates.update({name: date_column_format(name, input, mapping[name])}) -%}
{%- endfor -%}
{{ log_input_reading('customers', mapping, decimal if number_columns else none, dates, float_ids) }}
{{ log_combined_consents(mapping) }}
{%- if 'birth_date' in dates %}{{ log_two_digit_birth_years(input, mapping['birth_date'], dates.birth_date) }}{% endif -%}
{%- if execute and m_means == 'female' and flags.WHICH in ['build', 'run', 'retry'] %}
    {%- do log(this.identifier ~ ": gender column " ~ mapping['gender'] ~ " writes men as H (hombre, homme) and women in no other way: M read as mujer (Female)", info=true) -%}
{%- endif %}
{%- set aliases = source_column_aliases(input) -%}
{%- set extra_names = extra_column_names(input.columns | select('in', extras + text_extras) | list) -%}
{%- set renamed = [] -%}
{%- for column, name in extra_names.items() if normalize_column_name(column) in behaviour_feature_names() or normalize_column_name(column).startswith('share_') -%}
    {%- do renamed.append(column ~ ' -> ' ~ name) -%}
{%- endfor -%}
{%- if execute and renamed and flags.WHICH in ['build', 'run', 'retry'] -%}
    {%- do log(this.identifier ~ ": customers columns named like a feature computed from the orders keep their values under another name (" ~ renamed | join(', ')
        ~ "): frequency, monetary, recency_days and the other behaviour features are always the ones computed from the order lines. To cluster on the file's own values, name the new names in var segmentation_features", info=true) -%}
{%- endif -%}
{%- set extras_in_use = extra_columns_in_use(extra_names) -%}
{%- set unread_values = [] -%}
{%- for column in extras if extra_names[column] not in extras_in_use -%}
    {#- "loyalty_points 'see notes'" when the cell is no finite number -#}
    {%- do unread_values.append("case when (" ~ number_problem(extra_names[column], aliases[column], quote_identifier('number__' ~ extra_names[column]), input.types[column])
        ~ ") is not null then " ~ quote_literal(extra_names[column] ~ " = '") ~ " || coalesce(" ~ text_value(aliases[column]) ~ ", '') || chr(39) end") -%}
{%- endfor -%}
{%- set fields = standard_field_expressions(standard_fields + consent_extra_keys, ['age', 'annual_income_k', 'income', 'spending_score'], mapping, aliases, input.types) -%}
{%- set field = fields.field -%}
{%- set consent_also_fields = [] -%}
{%- for key in consent_keys() if consent_column_keys(mapping, key) | length > 1 -%}
    {%- do field.update({key ~ '_also': consent_raw_value(field, mapping, key)}) -%}
    {%- do consent_also_fields.append(key ~ '_also') -%}
{%- endfor -%}
{%- set field_type = fields.type -%}

with

-- Read once: materialized, so the id check below scans this copy instead of the input again (a
-- Parquet file of one row group, as pandas writes up to 1M rows, is read on one thread; the copy
-- is scanned on all of them; a CSV file is parsed once instead of twice).
source as materialized (

    select
        {{ input.row_number }} as source_row_number,
        {{- select_source_columns(input) }}
    from {{ input.relation }}

),

repeated_ids as (

    -- The ids that occur more than once, and the first row of each (the one kept): an aggregate
    -- over ids that repeat, not a window over every row.
    select
        customer_key,
        min(source_row_number) as first_row_number
    from (
        select
            source_row_number,
            {{ id_value(field.customer_id, float_ids, placeholder_ids) }} as customer_key
        from source
    ) as ids
    where customer_key is not null
    group by customer_key
    having count(*) > 1

),

parsed as (

    select
        source.*,
        {{ id_value(field.customer_id, float_ids, placeholder_ids) }} as customer_id,
        {{ normalize_gender(field.gender, m_means) }} as gender,
        {{ unrecognised_gender(field.gender) }} as unrecognised_gender,
        {{ number_value(field.age, field_type.age, decimal) }} as age_number,
        {%- if 'birth_date' in mapping %}
        -- A birth date gives the age where the input has none (no age column, or a blank age).
        {{ parse_birth_date(field.birth_date, dates.birth_date) }} as birth_date,
        {%- else %}
        cast(null as date) as birth_date,
        {%- endif %}
        {{ number_value(field.annual_income_k, field_type.annual_income_k, decimal) }} as annual_income_k_number,
        {{ number_value(field.income, field_type.income, decimal) }} as income_number,
        {{ number_value(field.spending_score, field_type.spending_score, decimal) }} as spending_score_number,
        {%- if 'signup_date' in mapping %}
        {{ parse_date_column(field.signup_date, dates.signup_date) }} as signup_date,
        {%- else %}
        cast(null as date) as signup_date,
        {%- endif %}
        lower({{ text_value(field.email) }}) as email,
        {%- if 'marketing_opt_in' in mapping or 'marketing_opt_out' in mapping %}
        -- A blank consent is not consent: only an explicit yes makes a customer contactable. A value
        -- that is no known yes or no is not consent either, and the opt_in_not_recognised WARN names it.
        -- An opt-out column (`Unsubscribed from all email`) is read the other way round: yes is no
        -- consent, blank is not unsubscribed (as a CRM leaves it), any other value no consent.
        {{ consent_value(field, mapping, 'marketing_opt_in', 'marketing_opt_out') }} as marketing_opt_in,
        {{ unrecognised_consent_value(field, mapping, 'marketing_opt_in', 'marketing_opt_out') }} as unrecognised_opt_in,
        {%- else %}
        -- The input has no consent column: everyone counts as opted in (documented in the README).
        true as marketing_opt_in,
        cast(null as varchar) as unrecognised_opt_in,
        {%- endif %}
        {%- if sms_basis == 'sms_column' %}
        -- SMS consent from its own column, read as the marketing consent is.
        {{ consent_value(field, mapping, 'sms_opt_in', 'sms_opt_out') }} as sms_column_opt_in,
        {{ unrecognised_consent_value(field, mapping, 'sms_opt_in', 'sms_opt_out') }} as unrecognised_sms_opt_in,
        {%- else %}
        cast(null as boolean) as sms_column_opt_in,
        cast(null as varchar) as unrecognised_sms_opt_in,
        {%- endif %}
        {%- for column in extras %}
        {{ number_value(aliases[column], input.types[column], decimal) }} as {{ quote_identifier('number__' ~ extra_names[column]) }},
        {%- endfor %}
        {%- for column in text_extras %}
        {{ text_value(aliases[column]) }} as {{ quote_identifier('text__' ~ extra_names[column]) }},
        {%- endfor %}
        true as parsed_marker
    from source

),

checked as (

    select
        parsed.*,
        -- A header line repeated inside the file is no data, and a row that swallowed the lines
        -- after it (a quote not closed) is no row: that is their one reason.
        case
            when {{ is_header_line(input) }} then {{ header_line_reason() }}
            when {{ quote_not_closed(input, 'customers') }} then {{ quote_not_closed_reason() }}
            {%- if summary_rows %}
            when {{ is_summary_row('parsed.customer_id') }} then {{ summary_row_reason() }}
            {%- endif %}
            else nullif(concat_ws('; ',
            case when parsed.customer_id is null then 'missing customer_id' end,
            {{ id_in_scientific_notation('parsed.customer_id') }},
            case when repeated_ids.first_row_number is not null
                    and parsed.source_row_number <> repeated_ids.first_row_number
                then 'duplicate customer_id (the first row with this id is kept)' end,
            {{ number_problem('age', field.age, 'age_number', field_type.age) }},
            {{ bounds_problem('age', 'age_number') }},
            {%- if 'birth_date' in mapping %}
            case
                when age_number is not null then null
                {%- if field_type.birth_date == 'VARCHAR' %}
                -- a birthday without its year (`15.03.`, `--03-15`): no age, the customer kept
                when parsed.birth_date is null and {{ is_birthday_without_year(text_value(field.birth_date)) }} then null
                {%- endif %}
                when {{ unreadable_date(field.birth_date, 'parsed.birth_date', field_type.birth_date) }}
                    then 'birth_date is not a date'
                when {{ is_placeholder_birth_date('parsed.birth_date') }} then null
                when {{ outside_standard_bounds('age', age_at_reference('parsed.birth_date')) }}
                    then 'birth_date gives an age outside 0-120'
            end,
            {%- endif %}
            {{ number_problem('annual_income_k', field.annual_income_k, 'annual_income_k_number', field_type.annual_income_k) }},
            {{ bounds_problem('annual_income_k', 'annual_income_k_number') }},
            {{ number_problem('income', field.income, 'income_number', field_type.income) }},
            {{ bounds_problem('income', 'income_number') }},
            {{ number_problem('spending_score', field.spending_score, 'spending_score_number', field_type.spending_score) }},
            {{ bounds_problem('spending_score', 'spending_score_number') }},
            {{ date_problem('signup_date', field.signup_date, 'signup_date', field_type.signup_date) }}
            {%- for column in extras if extra_names[column] in extras_in_use %},
            {{ number_problem(extra_names[column], aliases[column], quote_identifier('number__' ~ extra_names[column]), input.types[column]) }}
            {%- endfor %}
        ), '') end as rejection_reason,
        -- Extra columns the clustering does not read (extra_columns_in_use): a cell that is no
        -- finite number is read as missing and the row kept; the value as it arrived is kept here
        -- for the extra_value_not_a_number WARN.
        {% if unread_values -%}
        nullif(concat_ws('; ', {{ unread_values | join(', ') }}), '')
        {%- else -%}
        cast(null as varchar)
        {%- endif %} as unread_extra_values
    from parsed
    left join repeated_ids
        on parsed.customer_id = repeated_ids.customer_key

),

final as (

    select
        cast(source_row_number as bigint) as source_row_number,
        customer_id,
        gender,
        -- the gender value as it arrived when it is no known spelling (it reads as Other)
        unrecognised_gender,
        {%- if 'birth_date' in mapping %}
        coalesce({{ finite_or_null('age_number') }},
                 case when not {{ is_placeholder_birth_date('birth_date') }} then {{ age_at_reference('birth_date') }} end) as age,
        -- kept rows whose age came from nothing but a placeholder birth date (1900-01-01, ...):
        -- the date, for the birth_date_placeholder WARN; their age is missing (imputed)
        case when rejection_reason is null and age_number is null and {{ is_placeholder_birth_date('birth_date') }}
            then strftime(birth_date, '%Y-%m-%d') end as placeholder_birth_date,
        -- kept rows whose age would come from a birthday without its year (`15.03.`, `--03-15`,
        -- `03/15`, `15 March`): the value as it arrived, for the birth_date_without_year WARN;
        -- their age is missing (imputed)
        {%- if field_type.birth_date == 'VARCHAR' %}
        case when rejection_reason is null and age_number is null and birth_date is null
                and {{ is_birthday_without_year(text_value(field.birth_date)) }}
            then {{ text_value(field.birth_date) }} end as birth_date_without_year,
        {%- else %}
        cast(null as varchar) as birth_date_without_year,
        {%- endif %}
        {%- else %}
        {{ finite_or_null('age_number') }} as age,
        cast(null as varchar) as placeholder_birth_date,
        cast(null as varchar) as birth_date_without_year,
        {%- endif %}
        {{ finite_or_null('annual_income_k_number') }} as annual_income_k,
        {{ finite_or_null('income_number') }} as income,
        {{ finite_or_null('spending_score_number') }} as spending_score,
        signup_date,
        email,
        marketing_opt_in,
        -- the consent value as it arrived when it is no known yes or no (it reads as no consent)
        unrecognised_opt_in,
        -- SMS consent (sms_consent_basis): an SMS campaign reaches only these customers
        {%- if sms_basis == 'sms_column' %}
        sms_column_opt_in as sms_opt_in,
        {%- elif sms_basis == 'email_consent_only' %}
        false as sms_opt_in,
        {%- else %}
        marketing_opt_in as sms_opt_in,
        {%- endif %}
        unrecognised_sms_opt_in,
        -- where sms_opt_in comes from, a constant: sms_column, general_consent (a consent column
        -- that names no channel), email_consent_only (no SMS consent at all) or no_consent_column
        {{ quote_literal(sms_basis) }} as sms_consent_basis,
        -- whether the input has a consent column (a constant: without one everyone counts as
        -- opted in, and the consent_column_missing WARN says so)
        {{ 'true' if 'marketing_opt_in' in mapping or 'marketing_opt_out' in mapping else 'false' }} as has_consent_column,
        {%- for column in extras %}
        -- extra numeric input column {{ extra_names[column] }}: stg_customers strips the prefix
        {{ finite_or_null(quote_identifier('number__' ~ extra_names[column])) }}
            as {{ quote_identifier(extra_column_prefix() ~ extra_names[column]) }},
        {%- endfor %}
        {%- for column in text_extras %}
        -- identifier or code column {{ extra_names[column] }}, as text: stg_customers strips the prefix
        {{ quote_identifier('text__' ~ extra_names[column]) }} as {{ quote_identifier(extra_column_prefix() ~ extra_names[column]) }},
        {%- endfor %}
        -- kept rows: extra values read as missing (columns the clustering does not read)
        case when rejection_reason is null then unread_extra_values end as unread_extra_values,
        -- Values as they arrived, on rejected rows only, in one JSON column (customers_rejected
        -- unpacks it; see raw_values_json).
        case when rejection_reason is not null then {{ raw_values_json(field, raw_customer_fields + consent_also_fields) }} end as raw_values,
        case when rejection_reason is not null then {{ raw_record_json(input) }} end as raw_record,
        rejection_reason
    from checked

)

select * from final
