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
