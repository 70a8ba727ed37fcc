"""Markets: currency, locale, tax mode and rate, shipping fee, business-day calendar."""
