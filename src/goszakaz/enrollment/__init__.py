"""Vouchers (the Госзаказ of one child) and education-services contracts within capacity."""
