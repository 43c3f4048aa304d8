{% macro max_category_shares() %}
    {#- More categories than this get no share_<category> column of their own (a product-level
        "category" would otherwise make thousands of columns); the biggest by purchase value win. -#}
    {{ return(30) }}
{% endmacro %}

{% macro order_categories() %}
    {#- The product categories of the purchases in stg_orders, as a list of {column, values}: column
        is the feature name (share_<normalised category>), values the category texts it covers
        (two spellings that normalise alike share one column: `Café` and `cafe`). A category in
        letters the name cannot hold (Cyrillic, CJK, an emoji) gets 6 hex characters of its md5
        (`Книги` -> share_edf985, `🍕 Pizza` -> share_pizza_2ae016): before, every such category
        became one share_blank (or share_caf for `Café`), and the preferences were lost. Empty at
        parse time or without orders. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set result = run_query(
        "select category, strip_accents(category) as plain, regexp_matches(strip_accents(category), '[^[:ascii:]]') as non_ascii,"
        ~ " substr(md5(category), 1, 6) as tag, sum(amount) as purchase_value from " ~ ref('stg_orders')
        ~ " where category is not null" ~ (" and not is_return" if 'is_return' in order_line_columns() else "")
        ~ (" and not is_discount" if 'is_discount' in order_line_columns() else "")
        ~ " group by category order by purchase_value desc nulls last, category") -%}
    {%- set by_column = {} -%}
    {%- set ordered = [] -%}
    {%- for row in result.rows -%}
        {%- set value = row[0] -%}
        {%- set name = normalize_column_name(row[1]) -%}
        {%- if row[2] -%}
            {%- set column = 'share_' ~ ((name ~ '_') if name else '') ~ row[3] -%}
        {%- else -%}
            {%- set column = 'share_' ~ (name or 'blank') -%}
        {%- endif -%}
        {%- if column not in by_column -%}
            {%- do by_column.update({column: []}) -%}
            {%- do ordered.append(column) -%}
        {%- endif -%}
        {%- do by_column[column].append(value) -%}
    {%- endfor -%}
    {%- if ordered | length > max_category_shares() -%}
        {%- do log("Note: stg_orders has " ~ ordered | length ~ " categories; share_<category> features are made for the "
            ~ max_category_shares() ~ " with the most purchase value only.", info=true) -%}
    {%- endif -%}
    {%- set categories = [] -%}
    {%- for column in (ordered[:max_category_shares()] | sort) -%}
        {%- do categories.append({'column': column, 'values': by_column[column]}) -%}
    {%- endfor -%}
    {{ return(categories) }}
{% endmacro %}

{% macro order_line_columns() %}
    {#- The columns stg_orders has (lower case). Lets int_customer_features build on a staging
        layer that does not have the line-grain columns (quantity, is_return) yet. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(ref('stg_orders')) -%}
        {%- do names.append(column.name | lower) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{% macro is_purchase_line(relation_alias) -%}
    {#- The one rule for "a purchase" on a stg_orders line, shared by the features and the marts:
        not a return (returns keep a positive amount and is_return = true), not a discount (which
        keeps one too, when the input has descriptions) and worth more than 0. -#}
    (not coalesce({{ relation_alias }}.is_return, false) and {{ relation_alias }}.amount > 0
    {%- if 'is_discount' in order_line_columns() %} and not coalesce({{ relation_alias }}.is_discount, false){% endif %})
{%- endmacro %}
