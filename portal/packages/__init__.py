"""Packages: the catalogue of what she sells (catalogue.py), purchases with their credits and plans
(purchases.py), promo codes (promo.py) and the arithmetic of money they share (pricing.py)."""
