{#- Which sales channels are online, for online_share. -#}

{% macro online_channel_values() %}
    {#- The channel texts that mean a purchase was made online, as stg_orders holds them (trimmed,
        lower case, so any case in the input): shop systems and ERPs write web, webshop,
        e-commerce, app or mobile as often as online. -#}
    {{ return(['online', 'on-line', 'on line', 'online shop', 'online store', 'onlineshop', 'online-shop',
               'web', 'website', 'web site', 'webshop', 'web shop', 'web-shop', 'webstore', 'web store',
               'e-commerce', 'ecommerce', 'e commerce', 'e-shop', 'eshop', 'internet',
               'app', 'mobile', 'mobile app', 'in-app', 'en ligne', 'en línea', 'en linea']) }}
{% endmacro %}

{% macro is_online_channel(channel) -%}
    {#- One IN over constants, no join: as cheap as channel = 'online' at 10M order lines. -#}
    {{ channel }} in ({{ quote_literals(online_channel_values()) }})
{%- endmacro %}
